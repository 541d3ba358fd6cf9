import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { LocalTransport } from '../../src/transport/local.js';

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

  it('reports a missing command as data (exit 127), like a shell would', async () => {
    const r = await t.run('local', ['no-such-command-lvsd'], { timeoutMs: 5000 });
    expect(r.exitCode).toBe(127);
  });
});
