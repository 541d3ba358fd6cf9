// The real binary, as a user runs it: exit codes and messages for good and bad input.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/lvs-doctor.js');

function run(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, cwd: tmpdir(), timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('lvs-doctor parse', () => {
  it('prints the typed result of a real output', () => {
    const text = readFileSync(join(root, 'fixtures/parsers/ipvsadm/ipvs-vm--table-ipvsadm-ln.out'), 'utf8');
    const r = run(['parse', 'ipvsadm', '-'], text);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).format).toBe('ipvsadm');
  });
  it('exits 65 naming FILE:LINE on malformed input, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-cli-'));
    const file = join(dir, 'bad.out');
    writeFileSync(file, 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  nonsense here\n');
    const r = run(['parse', 'ipvsadm', file]);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
    expect(r.err).not.toMatch(/\n\s+at /);
    rmSync(dir, { recursive: true });
  });
  it('refuses an unknown format with the list (exit 64)', () => {
    const r = run(['parse', 'nope', '-'], '');
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/unknown format 'nope'.*ipvsadm/);
  });
});

describe('lvs-doctor diagnose: inventory errors name the line and the field', () => {
  it('exits 65 on a bad address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-inv-'));
    const file = join(dir, 'inv.yaml');
    writeFileSync(file, 'service: { protocol: TCP, vip: 10.0.0.10, vport: 80 }\ndirector: { name: director, access: local }\nrealservers:\n  - { name: rs1, access: none, rip: 10.1.1.300, rport: 80 }\n');
    const r = run(['--inventory', file, '--format', 'text']);
    expect(r.code).toBe(65);
    expect(r.err).toContain(`${file}:4: realservers[0].rip: '10.1.1.300' is not an IPv4 or IPv6 address`);
    rmSync(dir, { recursive: true });
  });
  it('refuses a nonsense number of seconds before touching any host (exit 64)', () => {
    for (const [flag, value] of [['--keep-connections', 'ten'], ['--keep-connections', '0'], ['--connect-timeout', '0.5'], ['--connect-timeout', '5;id']]) {
      const r = run(['--director', 'lvs1', flag, value, '--format', 'text']);
      expect(r.code, `${flag} ${value}`).toBe(64);
      expect(r.err).toContain(`${flag} ${value}: give whole seconds from`);
    }
    expect(run(['discover', '--director', 'lvs1', '--keep-connections', '1e3']).code).toBe(64);
  });
  it('says what to do without an inventory (exit 64)', () => {
    const r = run(['--format', 'text']);
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/no inventory: give --inventory FILE/);
  });
});

describe('lvs-doctor replay', () => {
  it('replays a recorded fault offline to its diagnosis, exit 2', () => {
    const r = run(['replay', join(root, 'fixtures/bundles/realserver.no-listener'), '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(doc.mode).toBe('replay');
    expect(doc.diagnoses[0].id).toBe('realserver.no-listener');
  });
  it('a missing bundle is a clear error (exit 66)', () => {
    const r = run(['replay', '/nonexistent/bundle']);
    expect(r.code).toBe(66);
    expect(r.err).toMatch(/cannot open bundle/);
  });
  it('a replay miss fails loudly, naming the missing command and the nearest recorded one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-miss-'));
    cpSync(join(root, 'fixtures/bundles/healthy'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.entries = manifest.entries.filter((e: { argv: string[]; host: string }) => !(e.host === 'director' && e.argv.join(' ') === 'ip -o addr'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const r = run(['replay', dir, '--json']);
    const doc = JSON.parse(r.out);
    const outcome = JSON.stringify(doc);
    expect(outcome).toMatch(/no recorded run of .*ip -o addr.*nearest recorded/);
    rmSync(dir, { recursive: true });
  });
});
