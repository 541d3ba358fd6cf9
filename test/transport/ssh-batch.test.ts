// The batch framing through a real POSIX shell: stdout byte for byte (with or without a final
// newline), stderr apart, exit codes, hostile arguments quoted, the session bounded.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { besideLast, batchScript, MAX_BESIDE, newBoundary, readFrame, splitBatchOutput } from '../../src/transport/ssh-batch.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function runInSh(items: { argv: string[]; timeoutMs?: number; beside?: boolean }[]) {
  const boundary = newBoundary();
  const script = batchScript(items.map((i) => ({ argv: i.argv, timeoutMs: i.timeoutMs ?? 5000, sudo: false, ...(i.beside ? { beside: true } : {}) })), boundary);
  const r = spawnSync('sh', ['-c', script], { encoding: 'buffer' });
  return splitBatchOutput(new Uint8Array(r.stdout), new Uint8Array(r.stderr), boundary, items.length);
}

describe('ssh batch framing', () => {
  it('keeps each command\'s stdout, stderr and exit code apart', () => {
    const [a, b, c, d] = runInSh([
      { argv: ['printf', 'one\ntwo\n'] },
      { argv: ['printf', 'no newline'] },
      { argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] },
      { argv: ['printf', '\n\n'] },
    ]);
    expect(Buffer.from(a!.stdout).toString()).toBe('one\ntwo\n');
    expect(a!.exitCode).toBe(0);
    expect(a!.stderr).toBe('');
    expect(Buffer.from(b!.stdout).toString()).toBe('no newline');
    expect(Buffer.from(c!.stdout).toString()).toBe('out\n');
    expect(c!.stderr).toBe('err\n');
    expect(c!.exitCode).toBe(3);
    expect(Buffer.from(d!.stdout).toString()).toBe('\n\n');
  });

  it('passes hostile values as data, never as shell', () => {
    const hostile = ['eth0; touch /tmp/lvsd-pwned', '$(id)', '`id`', "it's", 'a\nb'];
    const results = runInSh(hostile.map((h) => ({ argv: ['printf', '%s', h] })));
    results.forEach((r, i) => expect(Buffer.from(r!.stdout).toString()).toBe(hostile[i]));
  });

  it('bounds the session: the command it stopped reports 124 with what it wrote, later ones did not start', () => {
    const [first, slow, next] = runInSh([
      { argv: ['echo', 'before'], timeoutMs: 300 },
      { argv: ['sh', '-c', 'echo partial; echo half >&2; sleep 5'], timeoutMs: 300 },
      { argv: ['echo', 'after'], timeoutMs: 300 },
    ]);
    expect(Buffer.from(first!.stdout).toString()).toBe('before\n');
    expect(slow).toMatchObject({ exitCode: 124, timedOut: true, stderr: 'half\n' });
    expect(Buffer.from(slow!.stdout).toString()).toBe('partial\n');
    expect(next).toBeNull();
  });

  it('starts only the commands themselves: no subshell, no timeout per command unless under sudo', () => {
    const boundary = newBoundary();
    const script = batchScript([{ argv: ['ip', 'rule'], timeoutMs: 5000, sudo: false }, { argv: ['nft', 'list', 'ruleset'], timeoutMs: 5000, sudo: true }], boundary);
    expect(script.startsWith("exec 'timeout' '-k' '1' '5' 'sh' '-c' ")).toBe(true);
    expect(script).not.toContain('$(');
    // One timeout for the session, one inside sudo for the root command; none for `ip rule`.
    expect(script.match(/timeout/g)).toHaveLength(2);
    expect(script.split('\n').find((l) => l.includes('nft'))).toMatch(/sudo.*-n.*timeout.*nft/);
  });

  it('reports a missing command as exit 127 with its message, and an incomplete frame as null', () => {
    const [missing] = runInSh([{ argv: ['no-such-command-lvsd'] }]);
    expect(missing!.exitCode).toBe(127);
    expect(missing!.stderr).toMatch(/no-such-command-lvsd/);
    const boundary = newBoundary();
    expect(splitBatchOutput(new TextEncoder().encode('partial'), '', boundary, 1)).toEqual([null]);
  });

  it('reads a frame as ended only once both streams have its end line', () => {
    const boundary = newBoundary();
    const script = batchScript([{ argv: ['sh', '-c', 'echo out; echo err >&2'], timeoutMs: 5000, sudo: false }, { argv: ['true'], timeoutMs: 5000, sudo: false }], boundary);
    const r = spawnSync('sh', ['-c', script], { encoding: 'buffer' });
    const errEnd = r.stderr.indexOf(`\n${boundary} E 0\n`);
    // stdout whole, stderr cut just before item 0's end line: as a channel may see them arrive.
    const early = readFrame(r.stdout, r.stderr.subarray(0, errEnd), boundary, 0, 0, 0);
    expect(early).toMatchObject({ ended: false });
    const whole = readFrame(r.stdout, r.stderr, boundary, 0, 0, 0)!;
    expect(whole.ended).toBe(true);
    expect(whole.result).toMatchObject({ exitCode: 0, stderr: 'err\n' });
    // The next frame is read from where this one ended.
    expect(readFrame(r.stdout, r.stderr, boundary, 1, whole.outNext, whole.errNext)).toMatchObject({ ended: true, result: { exitCode: 0 } });
  });

  describe('an item beside the others (traceroute, which waits on silent hops)', () => {
    it('runs while the others run, framed last with its own output and exit', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lvsd-beside-'));
      const mark = join(dir, 'beside-started');
      try {
        // The first item waits (3 s at most) for the one beside to have started: in sequence it never would have.
        const waits = { argv: ['sh', '-c', 'i=0; while [ ! -e "$1" ] && [ $i -lt 150 ]; do sleep 0.02; i=$((i+1)); done; [ -e "$1" ] && echo beside || echo alone; echo perr >&2', 'sh', mark] };
        const beside = { argv: ['sh', '-c', ': > "$1"; echo hops; echo header >&2; exit 1', 'sh', mark], beside: true };
        const [first, x, last] = runInSh([waits, { argv: ['printf', 'x'] }, beside]);
        expect(Buffer.from(first!.stdout).toString()).toBe('beside\n');
        expect(first!.stderr).toBe('perr\n');
        expect(Buffer.from(x!.stdout).toString()).toBe('x');
        expect(Buffer.from(last!.stdout).toString()).toBe('hops\n');
        expect(last!.stderr).toBe('header\n');
        expect(last!.exitCode).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps its output byte for byte (trailing newlines, none, a boundary-like line) and reads no stdin', () => {
      for (const text of ['a\n\n\n', 'no newline', '', ' 3\n', 'x B 0\n']) {
        const [, last] = runInSh([{ argv: ['true'] }, { argv: ['sh', '-c', 'printf "%s" "$1"; printf "%s" "$1" >&2; read -r l && echo "read $l"; exit 0', 'sh', text], beside: true }]);
        expect(Buffer.from(last!.stdout).toString()).toBe(text);
        expect(last!.stderr).toBe(text);
        expect(last!.exitCode).toBe(0);
      }
    });

    it('the session bound stops it with the rest', () => {
      const started = Date.now();
      const [first, late] = runInSh([{ argv: ['sleep', '5'], timeoutMs: 400 }, { argv: ['sh', '-c', 'sleep 5; echo never'], timeoutMs: 400, beside: true }]);
      expect(first!.timedOut).toBe(true);
      expect(late).toBeNull();
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('several beside run at once, with the others and with each other, and are framed in their order after them', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lvsd-beside-'));
      try {
        // Each waits (3 s at most) for the marks of the others: in sequence none would see them.
        const waitsFor = (own: string, ...others: string[]) => ({
          argv: ['sh', '-c', `: > "$1"; shift; i=0; for f in "$@"; do while [ ! -e "$f" ] && [ $i -lt 150 ]; do sleep 0.02; i=$((i+1)); done; done; for f in "$@"; do [ -e "$f" ] || { echo alone; exit 2; }; done; echo together; echo "${own}" >&2`, 'sh', join(dir, own), ...others.map((o) => join(dir, o))],
        });
        const results = runInSh([
          waitsFor('turn', 'ping', 'trace'),
          { argv: ['printf', 'x'] },
          { ...waitsFor('ping', 'turn', 'trace'), beside: true },
          { ...waitsFor('trace', 'turn', 'ping'), beside: true },
        ]);
        expect(results.map((r) => Buffer.from(r!.stdout).toString())).toEqual(['together\n', 'x', 'together\n', 'together\n']);
        expect(results.map((r) => r!.stderr)).toEqual(['turn\n', '', 'ping\n', 'trace\n']);
        expect(results.map((r) => r!.exitCode)).toEqual([0, 0, 0, 0]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the items marked go last in their order, at most MAX_BESIDE of them (the last ones); a batch of only such items runs its first in turn', () => {
      const run = (argv0: string, beside = false) => ({ item: { argv: [argv0], timeoutMs: 1000, sudo: false, ...(beside ? { beside: true } : {}) } });
      const shape = (runs: ReturnType<typeof run>[]) => besideLast(runs).map((r) => [r.item.argv[0], r.item.beside === true]);
      expect(shape([run('traceroute', true), run('ip'), run('ping', true), run('sysctl')])).toEqual([['ip', false], ['sysctl', false], ['traceroute', true], ['ping', true]]);
      const many = Array.from({ length: MAX_BESIDE + 1 }, (_, i) => run(`b${i}`, true));
      expect(shape([run('ip'), ...many])).toEqual([['ip', false], ['b0', false], ...many.slice(1).map((r) => [r.item.argv[0], true])]);
      expect(shape([run('ping', true), run('traceroute', true)])).toEqual([['ping', false], ['traceroute', true]]);
      expect(shape([run('traceroute', true)])).toEqual([['traceroute', false]]);
    });
  });
});
