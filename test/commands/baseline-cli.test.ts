// --baseline on the command line, over real recordings: each face says what changed, another
// site's bundle is refused (65), contradicting flags are a usage error (64) before any ssh.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/discover/inventory.js';
import { lastOkDir } from '../../src/baseline/store.js';

const root = join(import.meta.dirname, '../..');
const bundles = join(root, 'fixtures/bundles');

function doctor(...args: string[]): { code: number | null; out: string; err: string } {
  const env = { ...process.env, NO_COLOR: '1', LVS_DOCTOR_STATE_DIR: join(tmpdir(), 'lvsd-no-state') };
  delete env.CI;
  const r = spawnSync(process.execPath, [join(root, 'bin/lvs-doctor.js'), ...args], { encoding: 'utf8', cwd: tmpdir(), timeout: 120_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--baseline', () => {
  it('text: the changed route, linked to the diagnosis, and the baseline run ended ok', () => {
    const r = doctor('replay', join(bundles, 'realserver.reply-route'), '--baseline', join(bundles, 'healthy'), '--format', 'text');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^changed since the baseline: 5 of \d+ facts compared, against .*fixtures\/bundles\/healthy \(recorded 2026-12-03T07:32:23\.773Z, 46s ago\)$/m);
    expect(r.out).toContain('  was OK, now CRITICAL');
    expect(r.out).toContain('  ~ rs1 route ip route get 10.217.1.10 from 10.217.2.11: via 10.217.2.1 dev rec-lan -> via 10.217.2.254 dev rec-lan  (explains realserver.reply-route)');
  });

  it('nagios: the status line says what it was', () => {
    const r = doctor('replay', join(bundles, 'director.rp-filter'), '--baseline', join(bundles, 'healthy'), '--format', 'nagios');
    expect(r.out.split('\n')[0]).toMatch(/^LVS-DOCTOR CRITICAL - director\.rp-filter on director: .* \(was OK, now CRITICAL; baseline \d+s ago\) \| /);
  });

  it('json: the baseline object, the sysctl that changed', () => {
    const r = doctor('replay', join(bundles, 'director.rp-filter'), '--baseline', join(bundles, 'healthy'), '--json');
    const doc = JSON.parse(r.out) as { baseline: { schemaVersion: number; source: string; differences: { host: string; key: string; before: string; after: string; explains: string[] }[] } };
    expect(doc.baseline).toMatchObject({ schemaVersion: 1, source: 'given' });
    expect(doc.baseline.differences).toContainEqual(expect.objectContaining({ host: 'director', key: 'net.ipv4.conf.all.rp_filter', before: '0', after: '1', explains: ['director.rp-filter'] }));
  });

  it("another site's bundle is refused, exit 65", () => {
    const r = doctor('replay', join(bundles, 'healthy'), '--baseline', join(root, 'fixtures/bundles-ipvs/healthy'));
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/the baseline is of another site: its service is TCP 10\.131\.100\.1:80, this run's is TCP 10\.217\.100\.1:80/);
  });

  it('a directory that is no bundle is refused, exit 65', () => {
    const r = doctor('replay', join(bundles, 'healthy'), '--baseline', join(root, 'fixtures'));
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/cannot open baseline/);
  });

  it('--baseline with --no-baseline is a usage error, before any host is reached', () => {
    const r = doctor('--director', 'lvs1', '--baseline', join(bundles, 'healthy'), '--no-baseline');
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/--baseline and --no-baseline contradict each other/);
  });
});

describe('the last ok run kept for a site (live runs)', () => {
  it('one that no longer reads is named on stderr and the diagnosis goes on (it is read while the run waits on its hosts)', () => {
    const work = mkdtempSync(join(tmpdir(), 'lvsd-lastok-'));
    try {
      // Every host on a loopback port nothing listens on: a live run that reaches no host.
      const inventory = [
        'service: { protocol: TCP, vip: 10.91.100.1, vport: 80 }',
        'director: { name: director, ssh: { host: 127.0.0.1, port: 1 }, ext: eth0, int: eth1, dip: 10.91.2.1 }',
        'client: { name: client, ssh: { host: 127.0.0.1, port: 1 }, cip: 10.91.1.10 }',
        'realservers:',
        '  - { name: rs1, ssh: { host: 127.0.0.1, port: 1 }, rip: 10.91.2.11, rport: 80 }',
        '',
      ].join('\n');
      writeFileSync(join(work, 'inv.yaml'), inventory);
      const state = join(work, 'state');
      const kept = lastOkDir(parseInventory(inventory, 'inv.yaml').topology, { LVS_DOCTOR_STATE_DIR: state });
      mkdirSync(kept, { recursive: true, mode: 0o700 });
      writeFileSync(join(kept, 'manifest.json'), '{"tool": "lvs-doctor", "schemaVersion": 1, "entries": "not a list"}');
      const env = { ...process.env, NO_COLOR: '1', LVS_DOCTOR_STATE_DIR: state };
      delete env.CI;
      const r = spawnSync(process.execPath, [join(root, 'bin/lvs-doctor.js'), 'diagnose', '--inventory', join(work, 'inv.yaml'), '--json', '--connect-timeout', '2'], { encoding: 'utf8', cwd: work, timeout: 120_000, env });
      expect(r.stderr).toContain('lvs-doctor: the last ok run kept for this site is not used: ');
      expect(r.stderr).toContain('entries must be array');
      expect(r.stderr).not.toContain('internal error');
      const doc = JSON.parse(r.stdout) as { verdict: string; baseline?: unknown };
      expect(doc.baseline).toBeUndefined();
      expect(r.status).not.toBe(70);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
