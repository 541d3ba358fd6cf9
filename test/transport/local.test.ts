import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { LocalTransport } from '../../src/transport/local.js';
import { askTwiceThenStop } from './counters-on-demand.js';

function alive(pattern: string): boolean {
  return spawnSync('pgrep', ['-f', pattern]).status === 0;
}

describe('LocalTransport', () => {
  const t = new LocalTransport();

  it('returns raw stdout bytes, stderr and a non-zero exit as data', async () => {
    const r = await t.run('local', ['sh', '-c', 'printf "\\000\\377ab"; echo oops >&2; exit 3'], { timeoutMs: 5000 });
    expect([...r.stdout]).toEqual([0, 255, 97, 98]);
    expect(r.stderr).toBe('oops\n');
    expect(r.exitCode).toBe(3);
  });

  it('delivers stderr lines as they come', async () => {
    const lines: string[] = [];
    await t.run('local', ['sh', '-c', 'echo one >&2; echo two >&2'], { timeoutMs: 5000, onStderrLine: (l) => lines.push(l) });
    expect(lines).toEqual(['one', 'two']);
  });

  it('bounds a command by its timeout', async () => {
    const r = await t.run('local', ['sleep', '30'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(124);
  });

  it('stops a command on abort, child included', async () => {
    const marker = `lvsd-local-abort-${process.pid}`;
    const ac = new AbortController();
    const run = t.run('local', ['sh', '-c', `sleep 30 # ${marker}`], { timeoutMs: 20_000, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    const r = await run;
    expect(r.stopped).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(marker)).toBe(false);
  });

  it('endsOnStdinClose: stopped through its stdin, and asked for its counters (SIGUSR1) once, after the line that calls for it', async () => {
    const marker = `lvsd-local-counters-${process.pid}`;
    // Stands for tcpdump: says it listens, prints its counters on SIGUSR1, ends quietly on SIGTERM.
    const script = `trap 'echo counters >&2' USR1; trap 'exit 0' TERM; echo listening >&2; sleep 0.3; echo other >&2; while :; do sleep 0.05; done # ${marker}`;
    const runOnce = async (ask: boolean): Promise<{ lines: string[]; stopped: boolean | undefined }> => {
      const lines: string[] = [];
      const ac = new AbortController();
      let go: () => void = () => undefined;
      const counted = new Promise<void>((r) => (go = r));
      const run = t.run('local', ['sh', '-c', script], {
        timeoutMs: 20_000,
        signal: ac.signal,
        endsOnStdinClose: true,
        ...(ask ? { requestCountersAfter: (l: string) => l === 'listening' || l === 'other' } : {}),
        onStderrLine: (l) => {
          lines.push(l);
          if (l === 'other') go();
        },
      });
      await counted;
      // Time for a second request, were one sent.
      await new Promise((r) => setTimeout(r, 300));
      ac.abort();
      const r = await run;
      return { lines, stopped: r.stopped };
    };
    expect(await runOnce(true)).toEqual({ lines: ['listening', 'counters', 'other'], stopped: true });
    expect(await runOnce(false)).toEqual({ lines: ['listening', 'other'], stopped: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(marker)).toBe(false);
  });

  it('endsOnStdinClose: asked for its counters whenever the caller wants, through its stdin; not once stopped', async () => {
    const marker = `lvsd-local-on-demand-${process.pid}`;
    expect(await askTwiceThenStop(t, 'local', marker)).toEqual(['counters 1', 'counters 2']);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(marker)).toBe(false);
  });

  it('reports a missing command as data (exit 127), like a shell would', async () => {
    const r = await t.run('local', ['no-such-command-lvsd'], { timeoutMs: 5000 });
    expect(r.exitCode).toBe(127);
  });
});
