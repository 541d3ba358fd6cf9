// The command line as a user and a monitoring system see it: --help everywhere (exit 0), usage
// errors 64 everywhere, flags checked before any ssh starts, the access flags applied over an
// inventory, and nagios/prometheus printing their format on every error path.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/lvs-doctor.js');

/** A fake `ssh` first on PATH that records every call and fails like an unreachable host. */
function fakeSsh(): { dir: string; calls: () => string[][] } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-fakessh-'));
  const log = join(dir, 'calls');
  writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\037' "$a"; done >> '${log}'\necho >> '${log}'\necho 'ssh: connect to host x port 22: Connection refused' >&2\nexit 255\n`);
  chmodSync(join(dir, 'ssh'), 0o755);
  return { dir, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\x1f').filter(Boolean)) : []) };
}

function run(args: string[], opts: { path?: string; cwd?: string } = {}): { code: number | null; out: string; err: string } {
  const env = { ...process.env, NO_COLOR: '1', ...(opts.path ? { PATH: `${opts.path}:${process.env.PATH}` } : {}) };
  delete env.CI;
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: opts.cwd ?? tmpdir(), timeout: 120_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tempInventory(text: string): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-inv-'));
  const file = join(dir, 'inv.yaml');
  writeFileSync(file, text);
  return { file, cleanup: () => rmSync(dir, { recursive: true }) };
}

const SSH_INVENTORY = [
  'service: { protocol: TCP, vip: 10.0.0.10, vport: 80 }',
  'director: { name: director, ssh: { host: lvs1 }, ext: eth0, int: eth1, dip: 10.1.1.1 }',
  'client: { name: client, access: none, cip: 10.0.0.2 }',
  'realservers:',
  '  - { name: rs1, ssh: { host: rs1, jump: lvs1 }, rip: 10.1.1.11 }',
  '  - { name: rs2, access: none, rip: 10.1.1.12 }',
  '',
].join('\n');

describe('--help for every command and lab subcommand (exit 0, options, an example)', () => {
  const commands: [string[], RegExp][] = [
    [['--help'], /usage:/],
    [['diagnose', '--help'], /--inventory FILE/],
    [['--inventory', 'x.yaml', '--help'], /--inventory FILE/],
    [['replay', '--help'], /usage: lvs-doctor replay DIR/],
    [['demo', '--help'], /usage: lvs-doctor demo/],
    [['discover', '--help'], /--config FILE/],
    [['parse', '--help'], /parse --list/],
    [['lab', '--help'], /commands:/],
    [['lab', 'up', '--help'], /--realservers N/],
    [['lab', 'down', '--help'], /--prefix P/],
    [['lab', 'status', '--help'], /--json/],
    [['lab', 'faults', '--help'], /--json/],
    [['lab', 'fault', '--help'], /--revert ID/],
    [['lab', 'exec', '--help'], /-- CMD/],
    [['lab', 'diagnose', '--help'], /--director-only/],
  ];
  it.each(commands)('%j', (args, options) => {
    const r = run(args);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(options);
    expect(r.out).toMatch(/examples?:\n {2}lvs-doctor /);
    expect(r.err).toBe('');
  });
});

describe('usage errors exit 64 everywhere', () => {
  const cases: string[][] = [
    ['--bogus'],
    ['nosuchcommand'],
    ['diagnose', 'extra-argument'],
    ['--inventory', 'x.yaml', '--director', 'lvs1'],
    ['--inventory', 'x.yaml', '--redact'],
    ['replay'],
    ['replay', 'a', 'b'],
    ['replay', 'dir', '--inventory', 'x.yaml'],
    ['replay', 'dir', '--jump', 'bastion'],
    ['demo', 'extra'],
    ['demo', '--record', '/tmp/x'],
    ['discover'],
    ['discover', '--bogus'],
    ['discover', '--director', 'lvs1', 'extra'],
    ['parse', 'ipvsadm', 'a', 'b'],
    ['parse', 'ipvsadm', '--bogus'],
    ['lab'],
    ['lab', 'bogus'],
    ['lab', 'up', '--bogus'],
    ['lab', 'up', '--realservers', '1e1'],
    ['lab', 'up', '--nat', 'pf'],
    ['lab', 'up', '--prefix', 'Bad-Prefix'],
    ['lab', 'down', 'extra'],
    ['lab', 'down', '--fault', 'x'],
    ['lab', 'status', '--realservers', '2'],
    ['lab', 'faults', '--prefix'],
    ['lab', 'fault'],
    ['lab', 'fault', 'a', 'b'],
    ['lab', 'exec'],
    ['lab', 'exec', 'rs1', 'extra', '--', 'true'],
    ['lab', 'diagnose', '--prefix', 'Bad-Prefix'],
  ];
  it.each(cases)('%j', (...args) => {
    const r = run(args);
    expect(r.code, `${r.out}${r.err}`).toBe(64);
    expect(r.err).toMatch(/usage: lvs-doctor/);
  });
});

describe('host and access flags are refused before any process starts', () => {
  const bad: string[][] = [
    ['--director', 'x;touch /tmp/p'],
    ['--director', '-oProxyCommand=touch /tmp/p'],
    ['--director=-oProxyCommand=touch /tmp/p'],
    ['--director', 'lvs1', '--vip', '10.0.0.1;id:80'],
    ['--director', 'lvs1', '--vip', '10.0.0.1:0x50'],
    ['--director', 'lvs1', '--client', '$(id)'],
    ['--director', 'lvs1', '--user', 'root -oProxyCommand=x'],
    ['--director', 'lvs1', '--jump', '-oProxyCommand=x'],
    ['--director', 'lvs1', '--port', '22;id'],
    ['--director', 'lvs1', '--port', '0x16'],
    ['--director', 'lvs1', '--off-limits', 'rs1;id'],
    ['discover', '--director', 'x;touch /tmp/p'],
    ['discover', '--director', 'lvs1', '--vip', '10.0.0.1;id:80'],
  ];
  it.each(bad)('%j: exit 64 naming the flag, ssh never run', (...args) => {
    const ssh = fakeSsh();
    try {
      const r = run([...args, ...(args[0] === 'discover' ? [] : ['--format', 'text'])], { path: ssh.dir });
      expect(r.code, r.err).toBe(64);
      const flag = args.filter((a) => a.startsWith('--')).at(-1)!.replace(/=.*/, '');
      expect(r.err).toContain(flag);
      expect(ssh.calls()).toEqual([]);
    } finally {
      rmSync(ssh.dir, { recursive: true });
    }
  });
  it('an inventory interface that probes would refuse exits 65 naming director.ext, ssh never run', () => {
    for (const ext of ['--version', '..']) {
      const ssh = fakeSsh();
      const inv = tempInventory(SSH_INVENTORY.replace('ext: eth0', `ext: "${ext}"`));
      try {
        const r = run(['--inventory', inv.file, '--format', 'text'], { path: ssh.dir });
        expect(r.code, r.err).toBe(65);
        expect(r.err).toContain(`${inv.file}:2: director.ext: '${ext}' is not an interface name`);
        expect(ssh.calls()).toEqual([]);
      } finally {
        inv.cleanup();
        rmSync(ssh.dir, { recursive: true });
      }
    }
  });
  it('--off-limits with a name no realserver has is a usage error, before ssh', () => {
    const ssh = fakeSsh();
    const inv = tempInventory(SSH_INVENTORY);
    try {
      const r = run(['--inventory', inv.file, '--off-limits', 'rs9', '--format', 'text'], { path: ssh.dir });
      expect(r.code).toBe(64);
      expect(r.err).toMatch(/--off-limits rs9: no realserver has that name \(rs1, rs2\)/);
      expect(ssh.calls()).toEqual([]);
    } finally {
      inv.cleanup();
      rmSync(ssh.dir, { recursive: true });
    }
  });
});

describe('with --inventory, the access flags override the file', () => {
  it('--jump, --user, --port, --identity, --sudo and --ssh-config reach ssh for every ssh host', () => {
    const ssh = fakeSsh();
    const inv = tempInventory(SSH_INVENTORY);
    try {
      const r = run(['--inventory', inv.file, '--jump', 'bastion', '--user', 'ops', '--port', '2222', '--identity', '/keys/id_lvs', '--sudo', '--ssh-config', '/etc/lvs/ssh_config', '--format', 'json', '--connect-timeout', '1'], { path: ssh.dir });
      expect(r.code, r.err).toBe(3);
      const calls = ssh.calls();
      const to = (host: string): string[] | undefined => calls.find((c) => c.at(-1) === host || c.includes(host));
      const director = to('lvs1')!;
      const rs1 = calls.find((c) => c.includes('rs1'))!;
      expect(director).toBeDefined();
      expect(rs1).toBeDefined();
      const opt = (argv: string[], flag: string): string | undefined => argv[argv.indexOf(flag) + 1];
      for (const argv of [director, rs1]) {
        expect(opt(argv, '-l')).toBe('ops');
        expect(opt(argv, '-p')).toBe('2222');
        expect(opt(argv, '-i')).toBe('/keys/id_lvs');
        expect(opt(argv, '-F')).toBe('/etc/lvs/ssh_config');
      }
      // The bastion first, then the host's own jump.
      expect(opt(director, '-J')).toBe('bastion');
      expect(opt(rs1, '-J')).toBe('bastion,lvs1');
      // Off-limits hosts are never contacted.
      expect(calls.some((c) => c.includes('rs2') || c.includes('10.1.1.12'))).toBe(false);
    } finally {
      inv.cleanup();
      rmSync(ssh.dir, { recursive: true });
    }
  });
});

describe('monitoring formats on every error path', () => {
  const inventoryErrors: [string, string[], number][] = [
    ['usage error', ['--bogus'], 64],
    ['missing inventory', ['--inventory', '/nonexistent/lvs.yaml'], 66],
    ['missing bundle', ['replay', '/nonexistent/bundle'], 66],
    ['bad flag value', ['--director', 'x;id'], 64],
  ];
  it.each(inventoryErrors)('nagios, %s: one UNKNOWN line with the reason, exit 3', (_what, args, _code) => {
    const r = run([...args, '--format', 'nagios']);
    expect(r.code).toBe(3);
    const lines = r.out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^LVS-DOCTOR UNKNOWN - \S/);
    expect(lines[0]).not.toContain('|');
  });
  it.each(inventoryErrors)('prometheus, %s: lvs_doctor_up 0 and the exit code, never an empty page', (_what, args, code) => {
    const r = run([...args, '--format=prometheus']);
    expect(r.code).toBe(code);
    expect(r.out).toMatch(/^# HELP lvs_doctor_up /m);
    expect(r.out).toMatch(/^lvs_doctor_up 0$/m);
    expect(r.out).toMatch(new RegExp(`^lvs_doctor_exit_code ${code}$`, 'm'));
  });
  it('nagios names the inventory error (file, line, field)', () => {
    const inv = tempInventory(SSH_INVENTORY.replace('rip: 10.1.1.11', 'rip: 10.1.1.300'));
    try {
      const r = run(['-i', inv.file, '-f', 'nagios']);
      expect(r.code).toBe(3);
      expect(r.out).toBe(`LVS-DOCTOR UNKNOWN - ${inv.file}:5: realservers[0].rip: '10.1.1.300' is not an IPv4 or IPv6 address\n`);
    } finally {
      inv.cleanup();
    }
  });
  it('a run that reports keeps its own output and exit code', () => {
    const r = run(['demo', '--format', 'prometheus']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^lvs_doctor_up 1$/m);
    expect(r.out).not.toMatch(/^lvs_doctor_up 0$/m);
  });
});

describe('addresses compare as addresses', () => {
  it('a bundle whose topology writes the DIP and RIPs v4-mapped gets the same diagnosis as the original', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-mapped-'));
    try {
      cpSync(join(root, 'fixtures/bundles/healthy'), dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      manifest.topology.director.dip = `::ffff:${manifest.topology.director.dip}`;
      for (const rs of manifest.topology.realservers) rs.rip = `::FFFF:${rs.rip}`;
      manifest.topology.client.cip = `0:0:0:0:0:ffff:${manifest.topology.client.cip}`;
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const original = JSON.parse(run(['replay', join(root, 'fixtures/bundles/healthy'), '--json']).out);
      const r = run(['replay', dir, '--json']);
      const doc = JSON.parse(r.out);
      expect(doc.diagnoses.map((d: { id: string }) => d.id)).toEqual([]);
      expect(doc.verdict).toBe(original.verdict);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
