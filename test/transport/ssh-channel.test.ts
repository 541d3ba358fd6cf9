// The channel against a real local `sh` reading its stdin, as the remote shell does over ssh:
// batches in order, a stop ahead of the queue, and what is kept when the shell goes away.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SshChannel } from '../../src/transport/ssh-channel.js';

const open: { channel: SshChannel; kill: () => void }[] = [];

function localChannel(): { channel: SshChannel; kill: () => void } {
  const child = spawn('sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const kill = (): void => void child.kill('SIGKILL');
  const channel = new SshChannel({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited, kill }, 2_000);
  open.push({ channel, kill });
  return { channel, kill };
}

const item = (...argv: string[]) => ({ argv, timeoutMs: 5_000, sudo: false });
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString();

afterEach(async () => {
  for (const c of open.splice(0)) await c.channel.close(500);
});

describe('SshChannel', () => {
  it('runs batch after batch in one shell, each command framed apart', async () => {
    const { channel } = localChannel();
    const [a, b] = await Promise.all([
      channel.run([item('printf', 'one'), item('sh', '-c', 'echo out; echo err >&2; exit 3')]),
      channel.run([item('echo', 'second batch')]),
    ]);
    expect(text(a![0]!.stdout)).toBe('one');
    expect(a![1]).toMatchObject({ exitCode: 3, stderr: 'err\n' });
    expect(text(a![1]!.stdout)).toBe('out\n');
    expect(text(b![0]!.stdout)).toBe('second batch\n');
    expect(channel.alive).toBe(true);
  });

  // With 100 realservers a hundred channels sit idle after their batches: each held its last
  // batch's output (~2 MiB of a run's peak, BENCHMARKS.md), though the results are copies.
  it('an idle channel holds none of the output of the batches it ran; their results stay whole', async () => {
    const { channel } = localChannel();
    const a = await channel.run([item('sh', '-c', 'head -c 20000 /dev/zero | tr "\\0" x; echo err >&2')]);
    await new Promise((r) => setImmediate(r));
    expect(channel.heldBytes).toBe(0);
    expect(text(a![0]!.stdout)).toBe('x'.repeat(20000));
    expect(a![0]!.stderr).toBe('err\n');
  });

  it('hands each item over as it ends, before an item beside them that is still waiting', async () => {
    const { channel } = localChannel();
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-channel-'));
    const release = join(dir, 'release');
    try {
      const heard: [number, string, string][] = [];
      // The item beside waits (3 s at most) for a mark made only once the reads in turn were
      // handed over: were they held until the batch ends, it would never see the mark.
      const waiting = { ...item('sh', '-c', 'i=0; while [ ! -e "$1" ] && [ $i -lt 150 ]; do sleep 0.02; i=$((i+1)); done; [ -e "$1" ] && echo released || echo held; echo late-err >&2', 'sh', release), beside: true };
      const parts = await channel.run([item('sh', '-c', 'echo a; echo a-err >&2'), item('printf', 'b'), waiting], false, (index, r) => {
        heard.push([index, text(r.stdout), r.stderr]);
        if (index === 1) writeFileSync(release, '');
      });
      expect(heard).toEqual([
        [0, 'a\n', 'a-err\n'],
        [1, 'b', ''],
        [2, 'released\n', 'late-err\n'],
      ]);
      expect(parts!.map((p) => text(p!.stdout))).toEqual(['a\n', 'b', 'released\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no command can read the next batches from the channel', async () => {
    const { channel } = localChannel();
    const [reader, after] = await Promise.all([channel.run([item('cat')]), channel.run([item('echo', 'still here')])]);
    expect(text(reader![0]!.stdout)).toBe('');
    expect(text(after![0]!.stdout)).toBe('still here\n');
  });

  it('an urgent batch (a capture\'s stop) goes ahead of the queue', async () => {
    const { channel } = localChannel();
    const order: string[] = [];
    const first = channel.run([item('sleep', '0.2')]).then(() => order.push('running'));
    const queued = channel.run([item('true')]).then(() => order.push('queued'));
    const urgent = channel.run([item('true')], true).then(() => order.push('urgent'));
    await Promise.all([first, queued, urgent]);
    expect(order).toEqual(['running', 'urgent', 'queued']);
  });

  it('when the shell goes away: finished commands are kept, the rest is handed back (null)', async () => {
    const { channel, kill } = localChannel();
    const running = channel.run([item('echo', 'done'), item('sleep', '5'), item('echo', 'never')]);
    const queued = channel.run([item('echo', 'queued')]);
    setTimeout(kill, 300);
    const [parts, next] = await Promise.all([running, queued]);
    expect(text(parts![0]!.stdout)).toBe('done\n');
    // Cut by the channel closing, not by a bound: run again on its own, not reported as a hang.
    expect(parts![1]).toBeNull();
    expect(parts![2]).toBeNull();
    expect(next).toBeNull();
    expect(channel.alive).toBe(false);
    expect(await channel.run([item('true')])).toBeNull();
  });

  it('a batch that cannot be built fails to its caller, and the channel goes on', async () => {
    const { channel } = localChannel();
    expect(() => channel.run([])).toThrow(/empty batch/);
    const ok = await channel.run([item('echo', 'fine')]);
    expect(text(ok![0]!.stdout)).toBe('fine\n');
  });
});
