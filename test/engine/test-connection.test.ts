// The test connection's orchestration over a stand-in transport whose tcpdump listens at once
// and runs until stopped: whichever way the call ends, no capture is left running.
import { describe, expect, it } from 'vitest';
import { runCapturedConnections, type CapturedConnectionsPlan } from '../../src/engine/test-connection.js';
import type { RunOptions, RunResult, Transport } from '../../src/transport/transport.js';

function standIn(): { transport: Transport; running: Set<string>; stopped: string[] } {
  const running = new Set<string>();
  const stopped: string[] = [];
  const transport: Transport = {
    close: async () => undefined,
    run: (host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> => {
      if (argv[0] !== 'tcpdump') return Promise.resolve({ stdout: new TextEncoder().encode('200 10.0.0.10'), stderr: '', exitCode: 0, durationMs: 1 });
      const id = `${host} ${argv[argv.indexOf('-i') + 1]}`;
      running.add(id);
      options.onStderrLine?.(`tcpdump: listening on ${argv[argv.indexOf('-i') + 1]}, link-type EN10MB (Ethernet), snapshot length 512 bytes`);
      return new Promise((resolve) => {
        options.signal?.addEventListener('abort', () => {
          running.delete(id);
          stopped.push(id);
          resolve({ stdout: new Uint8Array(), stderr: '', exitCode: 0, durationMs: 1, stopped: true });
        });
      });
    },
  };
  return { transport, running, stopped };
}

const plan = (extra: Partial<CapturedConnectionsPlan> = {}): CapturedConnectionsPlan => ({
  client: 'client',
  vip: '10.0.0.10',
  vport: 80,
  captures: [
    { host: 'director', iface: 'eth0', filter: { hosts: ['10.0.0.10'] } },
    { host: 'director', iface: 'eth1', filter: { hosts: ['10.0.0.10'] } },
    { host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } },
  ],
  tool: 'curl',
  connections: 2,
  connectTimeoutS: 2,
  ...extra,
});

describe('runCapturedConnections', () => {
  it('arms every capture, connects, and stops every capture before it returns', async () => {
    const { transport, running, stopped } = standIn();
    let armedWith = -1;
    const r = await runCapturedConnections(transport, plan({ onArmed: () => (armedWith = running.size) }));
    expect(armedWith).toBe(3);
    expect(r.attempts.map((a) => a.ok)).toEqual([true, true]);
    expect(r.captures.map((c) => c.error)).toEqual([undefined, undefined, undefined]);
    expect(running.size).toBe(0);
    expect(stopped.sort()).toEqual(['client any', 'director eth0', 'director eth1']);
  });

  it('a callback that throws ends the call, and still no capture is left running', async () => {
    const { transport, running } = standIn();
    await expect(
      runCapturedConnections(transport, plan({ onConnectionsDone: () => { throw new Error('listener broke'); } })),
    ).rejects.toThrow('listener broke');
    expect(running.size).toBe(0);
  });
});
