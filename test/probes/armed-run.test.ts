// When a long-running probe counts as armed: on its ready line, or, asked for its counters,
// once they have come (what it counted before the caller's test), with a bound on the wait.
import { describe, expect, it } from 'vitest';
import { startArmedRun, type ArmedRunOptions } from '../../src/probes/armed-run.js';
import { CAPTURE_OUTPUT_CAP } from '../../src/transport/output-cap.js';
import { runEachAlone, type RunOptions, type RunResult, type Transport } from '../../src/transport/transport.js';

/** A transport whose one run is driven by the test: stderr lines, then an end. */
function driven(): { transport: Transport; options: () => RunOptions; line: (l: string) => void; end: () => void } {
  let opts: RunOptions | undefined;
  let finish: (r: RunResult) => void = () => undefined;
  const transport: Transport = {
    close: async () => undefined,
    runTogether: (host, argvs, options) => runEachAlone(transport, host, argvs, options),
    run: (_host, _argv, options) => {
      opts = options;
      return new Promise<RunResult>((resolve) => (finish = resolve));
    },
  };
  return { transport, options: () => opts!, line: (l) => opts!.onStderrLine?.(l), end: () => finish({ stdout: new Uint8Array(), stderr: '', exitCode: 0, durationMs: 1 }) };
}

const base: ArmedRunOptions = {
  timeoutMs: 5000,
  needsRoot: true,
  outputCap: CAPTURE_OUTPUT_CAP,
  endsOnStdinClose: true,
  isArmed: (l) => l.startsWith('listening'),
  endedUnarmed: () => 'ended before listening',
  countersWhenArmed: { isCounters: (l) => l.startsWith('counters'), waitMs: 200 },
};

const state = async (p: Promise<void>): Promise<string> => Promise.race([p.then(() => 'armed', (e: Error) => `failed: ${e.message}`), new Promise<string>((r) => setTimeout(() => r('pending'), 20))]);

describe('startArmedRun', () => {
  it('asked for counters: asks right after the ready line, and is armed once they come', async () => {
    const d = driven();
    const run = startArmedRun(d.transport, 'h', ['tcpdump'], base);
    expect(d.options().requestCountersAfter?.('listening on eth0')).toBe(true);
    expect(d.options().requestCountersAfter?.('counters 0 0 0')).toBe(false);
    d.line('counters before it listened are not the baseline');
    d.line('listening on eth0');
    expect(await state(run.armed)).toBe('pending');
    d.line('counters 0 1 0');
    expect(await state(run.armed)).toBe('armed');
    d.end();
  });

  it('counters that never come hold it back no longer than their bound', async () => {
    const d = driven();
    const run = startArmedRun(d.transport, 'h', ['tcpdump'], base);
    d.line('listening on eth0');
    expect(await state(run.armed)).toBe('pending');
    await new Promise((r) => setTimeout(r, 220));
    expect(await state(run.armed)).toBe('armed');
    d.end();
  });

  it('ready and then ended before its counters (a run replayed from before they were asked for): armed', async () => {
    const d = driven();
    const run = startArmedRun(d.transport, 'h', ['tcpdump'], base);
    d.line('listening on eth0');
    d.end();
    expect(await state(run.armed)).toBe('armed');
  });

  it('ended before it was ready: not armed, with the reason', async () => {
    const d = driven();
    const run = startArmedRun(d.transport, 'h', ['tcpdump'], base);
    d.end();
    expect(await state(run.armed)).toBe('failed: ended before listening');
  });

  it('not asked for counters: armed on the ready line, and nothing is asked of it', async () => {
    const d = driven();
    const run = startArmedRun(d.transport, 'h', ['tcpdump'], { ...base, countersWhenArmed: undefined });
    expect(d.options().requestCountersAfter).toBeUndefined();
    d.line('listening on eth0');
    expect(await state(run.armed)).toBe('armed');
    d.end();
  });
});
