import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Topology } from '../../src/model/topology.js';
import { readBundle } from '../../src/transport/bundle.js';
import { RecordingTransport } from '../../src/transport/record.js';
import fc from 'fast-check';
import { editDistance, ReplayTransport } from '../../src/transport/replay.js';
import { TransportError } from '../../src/transport/transport.js';
import { FakeTransport } from './fake-transport.js';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lvsd-bundle-'));
  dirs.push(d);
  return d;
}

const topology: Topology = {
  service: { protocol: 'TCP', vip: '10.0.0.10', vport: 80 },
  director: { name: 'director', role: 'director', access: 'ssh', ssh: { host: 'lb1.example.net', identityFile: '/root/.ssh/id_ed25519' } },
  client: { name: 'client', role: 'client', access: 'ssh', cip: '10.9.0.5' },
  realservers: [{ name: 'rs1', role: 'realserver', access: 'ssh', rip: '10.1.1.11', rport: 80 }],
};

describe('record and replay', () => {
  it('keeps commands run together as one entry each, in order, so a replay serves them as if run alone', async () => {
    let n = 0;
    // Answers the second of three identical commands last, as parallel connections may end.
    const inner = new FakeTransport((_host, argv) => (argv[0] === 'curl' ? { stdoutText: `200 #${++n}`, exitCode: n === 3 ? 28 : 0, delayMs: n === 2 ? 30 : 5 } : { stdoutText: 'x' }));
    const dir = await tempDir();
    const rec = new RecordingTransport(inner, { dir, topology });
    await rec.run('client', ['uname'], { timeoutMs: 1000 });
    const curl = ['curl', 'http://10.0.0.10/'];
    const live = await Promise.all(rec.runTogether('client', [curl, curl, curl], { timeoutMs: 1000, endsOnStdinClose: true }));
    await rec.close();
    const bundle = await readBundle(dir);
    expect(bundle.manifest.entries.map((e) => [e.ordinal, e.argv[0], e.exitCode])).toEqual([
      [0, 'uname', 0],
      [1, 'curl', 0],
      [2, 'curl', 0],
      [3, 'curl', 28],
    ]);
    const replay = await ReplayTransport.open(dir);
    const replayed = await Promise.all(replay.runTogether('client', [curl, curl, curl], { timeoutMs: 1000 }));
    expect(replayed.map((r) => [Buffer.from(r.stdout).toString(), r.exitCode])).toEqual(live.map((r) => [Buffer.from(r.stdout).toString(), r.exitCode]));
    expect(replayed.map((r) => Buffer.from(r.stdout).toString())).toEqual(['200 #1', '200 #2', '200 #3']);
    // A bundle recorded one run at a time (before runTogether) is served to runTogether alike.
    const alone = await ReplayTransport.open(dir);
    await alone.run('client', ['uname'], { timeoutMs: 1000 });
    expect((await Promise.all(alone.runTogether('client', [curl, curl], { timeoutMs: 1000 }))).map((r) => Buffer.from(r.stdout).toString())).toEqual(['200 #1', '200 #2']);
    expect(Buffer.from((await alone.run('client', curl, { timeoutMs: 1000 })).stdout).toString()).toBe('200 #3');
  });

  it('commands whose start throws together are each rejected and kept as a transport error, not a throw out of runTogether', async () => {
    const inner = new FakeTransport(() => ({ stdoutText: 'x' }));
    inner.runTogether = () => {
      throw new TransportError('no-access', 'client', 'no ssh access configured for this host');
    };
    const dir = await tempDir();
    const rec = new RecordingTransport(inner, { dir, topology });
    const curl = ['curl', 'http://10.0.0.10/'];
    const runs = rec.runTogether('client', [curl, curl], { timeoutMs: 1000 });
    expect(runs).toHaveLength(2);
    for (const r of runs) await expect(r).rejects.toThrow('no ssh access configured');
    await rec.close();
    expect((await readBundle(dir)).manifest.entries.map((e) => [e.ordinal, e.transportError?.kind])).toEqual([
      [0, 'no-access'],
      [1, 'no-access'],
    ]);
  });

  it('replays what was recorded: bytes, exit codes, stderr lines, ordinals of identical runs, transport errors', async () => {
    let n = 0;
    const inner = new FakeTransport((host, argv) => {
      if (host === 'rs2') return { error: new TransportError('auth', host, 'root@rs2: Permission denied (publickey).') };
      if (argv[0] === 'date') return { stdoutText: `call ${++n}` };
      return { stdout: new Uint8Array([0, 1, 2, 255]), stderr: 'listening on eth0\n', exitCode: 2 };
    });
    const dir = await tempDir();
    const rec = new RecordingTransport(inner, { dir, topology, runOptions: { timeoutMs: 5000, identityFile: '/secret', env: 'X' } });
    const first = await rec.run('rs1', ['tcpdump', '-w', '-'], { timeoutMs: 1000 });
    await rec.run('rs1', ['date'], { timeoutMs: 1000 });
    await rec.run('rs1', ['date'], { timeoutMs: 1000 });
    await expect(rec.run('rs2', ['date'], { timeoutMs: 1000 })).rejects.toThrow(TransportError);
    await rec.close();

    expect((await readdir(dir)).sort()).toEqual(['0000-rs1.bin', '0001-rs1.bin', '0002-rs1.bin', '0003-rs2.bin', 'manifest.json']);
    const bundle = await readBundle(dir);
    expect(bundle.manifest.options).toEqual({ timeoutMs: 5000 });
    expect(bundle.manifest.schemaVersion).toBe(1);

    const replay = await ReplayTransport.open(dir);
    const lines: string[] = [];
    // A capture read while it runs is given its recorded bytes as a live one is given its packets.
    const chunks: number[][] = [];
    const again = await replay.run('rs1', ['tcpdump', '-w', '-'], { timeoutMs: 1000, onStderrLine: (l) => lines.push(l), onStdoutChunk: (c) => chunks.push([...c]) });
    expect([...again.stdout]).toEqual([...first.stdout]);
    expect(chunks).toEqual([[...first.stdout]]);
    expect(again.exitCode).toBe(2);
    expect(lines).toEqual(['listening on eth0']);
    expect(Buffer.from((await replay.run('rs1', ['date'], { timeoutMs: 1 })).stdout).toString()).toBe('call 1');
    expect(Buffer.from((await replay.run('rs1', ['date'], { timeoutMs: 1 })).stdout).toString()).toBe('call 2');
    const err = await replay.run('rs2', ['date'], { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('auth');
    expect((err as TransportError).message).toBe('rs2: root@rs2: Permission denied (publickey).');
  });

  it('fails loudly on a miss, naming the key and the nearest recorded one', async () => {
    const dir = await tempDir();
    const rec = new RecordingTransport(new FakeTransport(() => ({ stdoutText: 'ok' })), { dir });
    await rec.run('rs1', ['ping', '-c1', '10.0.0.5'], { timeoutMs: 1 });
    await rec.run('director', ['ipvsadm', '-Ln'], { timeoutMs: 1 });
    await rec.close();
    const replay = await ReplayTransport.open(dir);
    const miss = await replay.run('rs1', ['ping', '-c1', '10.0.0.6'], { timeoutMs: 1 }).catch((e: TransportError) => e);
    expect(miss.kind).toBe('replay-miss');
    expect(miss.message).toContain('["ping","-c1","10.0.0.6"]');
    expect(miss.message).toContain('nearest recorded: rs1 ["ping","-c1","10.0.0.5"]');
    await replay.run('director', ['ipvsadm', '-Ln'], { timeoutMs: 1 });
    const twice = await replay.run('director', ['ipvsadm', '-Ln'], { timeoutMs: 1 }).catch((e: TransportError) => e);
    expect(twice.message).toMatch(/call #2; only 1 recorded/);
  });

  it('computes edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('computes the same edit distance as the plain dynamic programme', () => {
    const reference = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      return d[a.length][b.length];
    };
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '-', 'é'), maxLength: 12 });
    fc.assert(fc.property(text, text, (a, b) => editDistance(a, b) === reference(a, b)), { numRuns: 3_000 });
  });
});
