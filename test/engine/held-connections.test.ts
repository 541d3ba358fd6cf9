// Asking a realserver whether its kernel holds a test flow's connection (src/engine/held-connections.ts),
// through a stand-in transport that serves the real outputs of fixtures/parsers/ss/loopns--connection-*.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeldConnections } from '../../src/engine/held-connections.js';
import { TransportError, type RunOptions, type RunResult, type Transport } from '../../src/transport/transport.js';

const fixture = (name: string): Uint8Array => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ss', `loopns--connection-${name}.out`));
const question = (cport: number) => ({ host: 'rs1', rip: '127.0.0.1', rport: 8080, cip: '127.0.0.1', cport });

function standIn(answer: (argv: readonly string[]) => Promise<RunResult>): Transport & { runs: { host: string; argv: readonly string[]; options: RunOptions }[] } {
  const runs: { host: string; argv: readonly string[]; options: RunOptions }[] = [];
  return {
    runs,
    run: (host, argv, options) => {
      runs.push({ host, argv, options });
      return answer(argv);
    },
    runTogether: () => [],
    close: async () => undefined,
  };
}
const ok = (stdout: Uint8Array, exitCode = 0): Promise<RunResult> => Promise.resolve({ stdout, stderr: '', exitCode, durationMs: 3 });
const answered = (): { count: number; fn: () => void; next: Promise<void> } => {
  const state = { count: 0, fn: () => undefined as void, next: Promise.resolve() };
  let resolve: () => void = () => undefined;
  state.next = new Promise<void>((r) => (resolve = r));
  state.fn = () => {
    state.count++;
    resolve();
  };
  return state;
};

describe('HeldConnections', () => {
  it('asks each flow once, as a quick read, and reads the answer', async () => {
    const t = standIn((argv) => ok(fixture(argv[5] === '127.0.0.1:52180' ? 'syn-recv' : 'none')));
    const a = answered();
    const held = new HeldConnections(t, a.fn, () => true);
    expect(held.reading('rs1', '127.0.0.1', 52180)).toBeUndefined();
    held.ask([question(52180)]);
    held.ask([question(52180)]);
    // Being asked: nothing to decide from yet, and not asked again.
    expect(held.reading('rs1', '127.0.0.1', 52180)).toBeNull();
    await a.next;
    expect(held.reading('rs1', '127.0.0.1', 52180)).toBe(true);
    expect(t.runs).toHaveLength(1);
    expect(t.runs[0].argv).toEqual(['ss', '-tan', 'src', '127.0.0.1:8080', 'dst', '127.0.0.1:52180']);
    expect(t.runs[0].options.batch).toBe(true);
    const b = answered();
    const other = new HeldConnections(t, b.fn, () => true);
    other.ask([question(1)]);
    await b.next;
    expect(other.reading('rs1', '127.0.0.1', 1)).toBe(false);
  });

  it('a host that cannot be asked, an unreachable one, a failed or foreign answer: null, never false', async () => {
    const none = standIn(() => ok(fixture('none')));
    const held = new HeldConnections(none, () => undefined, () => false);
    held.ask([question(1)]);
    expect(held.reading('rs1', '127.0.0.1', 1)).toBeNull();
    expect(none.runs).toHaveLength(0);

    for (const answer of [
      () => Promise.reject(new TransportError('unreachable', 'rs1', 'no route')),
      () => ok(fixture('none'), 1),
      () => ok(Buffer.from('ss: command not found\n')),
      () => Promise.resolve({ stdout: new Uint8Array(), stderr: '', exitCode: 124, durationMs: 10_000, timedOut: true }),
    ]) {
      const a = answered();
      const h = new HeldConnections(standIn(answer), a.fn, () => true);
      h.ask([question(1)]);
      await a.next;
      expect(h.reading('rs1', '127.0.0.1', 1)).toBeNull();
    }
  });

  it('a run already stopped asks nothing', () => {
    const t = standIn(() => ok(fixture('none')));
    const stop = new AbortController();
    stop.abort();
    const held = new HeldConnections(t, () => undefined, () => true, stop.signal);
    held.ask([question(1)]);
    expect(t.runs).toHaveLength(0);
    expect(held.reading('rs1', '127.0.0.1', 1)).toBeNull();
  });
});
