// `lvs-doctor explain` and `parse --auto` as a user runs them (the built binary): exit codes,
// faces, the size cap, and a paste's control characters shown escaped, never sent raw.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { schemaErrors } from '../report/schema-validator.js';
import { MAX_PASTE_BYTES } from '../../src/explain/explain.js';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/lvs-doctor.js');
const paste = join(root, 'fixtures/explain/ipvs-vm--nat-reply-route-three-outputs.txt');

function run(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, cwd: tmpdir(), timeout: 60_000, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('lvs-doctor explain', () => {
  it('--help prints the usage and exits 0', () => {
    const r = run(['explain', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: lvs-doctor explain/);
  });
  it('a usage error exits 64: no input, an unknown flag, stdin twice', () => {
    expect(run(['explain']).code).toBe(64);
    expect(run(['explain', '--bogus', paste]).code).toBe(64);
    expect(run(['explain', '-', '-'], '').code).toBe(64);
  });
  it('an unreadable file exits 66', () => {
    const r = run(['explain', join(tmpdir(), 'lvs-doctor-no-such-paste.txt')]);
    expect(r.code).toBe(66);
    expect(r.err).toMatch(/cannot read .*ENOENT/);
  });
  it('a paste over the cap is refused before it is read (65)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-explain-'));
    const big = join(dir, 'big.txt');
    writeFileSync(big, Buffer.alloc(MAX_PASTE_BYTES + 1, 0x41));
    const r = run(['explain', big]);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/larger than/);
    rmSync(dir, { recursive: true });
  });
  it('text: how the paste was read, then the diagnosis; exit 2 on a fault', () => {
    const r = run(['explain', '--format', 'text', paste]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^paste: 3 output\(s\)/);
    expect(r.out).toMatch(/lines 16-17 on lv-rs1 `ip route`: ip-route; used as lv-rs1's output/);
    expect(r.out).toMatch(/FAIL realserver\.reply-route on lv-rs1/);
  });
  it('--json from stdin is a schema-valid result document in mode explain', () => {
    const r = run(['explain', '--json', '-'], readFileSync(paste, 'utf8'));
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(schemaErrors(doc)).toEqual([]);
    expect(doc.mode).toBe('explain');
    expect(doc.explain.parts.map((p: { format: string }) => p.format)).toEqual(['ipvsadm', 'ipvsadm', 'ip-route']);
  });
  it("a paste's control characters reach the terminal escaped", () => {
    const hostile = `root@lv-dir:~# ipvsadm -Ln\n\u001b]0;owned\u0007\u001b[2J${readFileSync(paste, 'utf8').split('\n').slice(1).join('\n')}`;
    const r = run(['explain', '--format', 'text', '-'], hostile);
    expect(r.out).not.toMatch(/\u001b/);
    expect(r.out).toMatch(/\\x1b\]0;owned\\x07/);
  });
});

describe('lvs-doctor parse --auto', () => {
  it('tells the format by the text alone', () => {
    const text = readFileSync(join(root, 'fixtures/parsers/ipvsadm/calico-4851--lnc-grep-fragment.out'), 'utf8');
    const r = run(['parse', '--auto', '-'], text);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.format).toBe('ipvsadm');
    expect(doc.result.format).toBe('ipvsadm-connections');
  });
  it('refuses what no parser reads (65), saying why each refused', () => {
    const text = readFileSync(join(root, 'fixtures/parsers/keepalived/rejected/gh-16189053260--quoted-master.out'), 'utf8');
    const r = run(['parse', '--auto', '-'], text);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/keepalived: line 1: expected a keepalived keyword/);
  });
  it('takes one FILE (64 otherwise)', () => {
    expect(run(['parse', '--auto', 'a', 'b']).code).toBe(64);
    expect(run(['parse', '--auto', '--list']).code).toBe(64);
  });
});
