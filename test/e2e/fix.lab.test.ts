// Issue 15 item 4: every fault the netns lab can inject, fixed by the doctor itself. Inject,
// `lab diagnose --fix ID --yes` (exit 0, "was FAIL, now OK"), `lvs-doctor rollback` from the
// ops namespace (exit 0), then the fault is diagnosed again, then the lab's own revert (which
// copes with a fault the doctor's fix already removed). A fault whose fix the doctor refuses is
// listed with the reason it gives (exit 4), and the set of refusals is pinned below.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labSkipReason } from '../lab/helpers.js';
import { freshLab, labDiagnose } from './lab-diagnose.js';
import { injectFault, labExec, labFaults, readLabInfo, revertFault } from '../../src/lab/index.js';

const PREFIX = 'e2f';
const skip = labSkipReason(PREFIX);
const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');
const stateDir = mkdtempSync(join(tmpdir(), 'lvs-doctor-fix-lab-'));
const env = { ...process.env, LVS_DOCTOR_STATE_DIR: stateDir };

/** Faults whose fix the doctor refuses here, and why (the reason is matched in its output). */
const REFUSED: Record<string, RegExp> = {
  'director.no-weight': /it has no command; the advice/,
  // netfilter NAT: the leaked packet is INVALID to conntrack, no SNAT rule can translate it.
  'director.untranslated-leak': /nothing lvs-doctor can apply and undo: .*no SNAT rule can translate it/,
  'director.return-path-stalled': /rs1 is off-limits/,
  'realserver.no-listener': /its commands are reads or boot configuration for you/,
  'realserver.unreachable': /its commands are reads or boot configuration for you/,
  'client.no-route-to-vip': /its commands are reads or boot configuration for you/,
};

/** Fixes that remove transient kernel state a rollback cannot bring back (what it checks instead). */
const FORGOTTEN: Record<string, { host: string; sysctl: string }> = {
  // `ip route flush cache` forgets the cached redirect; the rollback restores accept_redirects.
  'realserver.redirect-accepted': { host: 'rs2', sysctl: 'net.ipv4.conf.all.accept_redirects' },
};

function doctor(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000, env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function rollback(): { status: number | null; out: string } {
  const info = readLabInfo(PREFIX)!;
  const r = spawnSync('ip', ['netns', 'exec', info.opsNetns, process.execPath, bin, 'rollback'], { encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function sysctl(host: string, name: string): Promise<string> {
  return (await labExec(PREFIX, host, ['sysctl', '-n', name])).stdout.trim();
}

describe.skipIf(skip !== null)(`lvs-doctor --fix on the lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  freshLab(PREFIX);
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
  const refused: string[] = [];

  for (const f of labFaults('netns')) {
    const flags = [...(f.onenet ? ['--onenet'] : []), ...(f.id === 'director.return-path-stalled' ? ['--director-only'] : [])];
    it(`${f.id}: ${REFUSED[f.id] ? 'refused, with the reason' : 'fixed and verified, rolled back to the fault'}`, async () => {
      await injectFault(PREFIX, f.id);
      try {
        const forgotten = FORGOTTEN[f.id];
        const before = forgotten ? await sysctl(forgotten.host, forgotten.sysctl) : '';
        const fix = doctor(['lab', 'diagnose', '--prefix', PREFIX, ...flags, '--fix', f.id, '--yes']);
        if (REFUSED[f.id]) {
          expect(fix.status, fix.out).toBe(4);
          expect(fix.out).toMatch(REFUSED[f.id]);
          refused.push(fix.out.split('\n').find((l) => l.includes('refused:'))!);
          return;
        }
        expect(fix.out).toMatch(/verify: \S+: was FAIL, now OK\n/);
        expect(fix.status, fix.out).toBe(0);
        const back = rollback();
        expect(back.status, back.out).toBe(0);
        expect(back.out).toContain(`rolled back: ${f.id}`);
        if (forgotten) {
          expect(await sysctl(forgotten.host, forgotten.sysctl)).toBe(before);
          return;
        }
        const again = labDiagnose(PREFIX, flags);
        expect(again.diagnoses.map((d) => d.id)).toContain(f.id);
      } finally {
        await revertFault(PREFIX, f.id);
      }
    }, 240_000);
  }

  it('lists every refused fix with the reason the tool gives', () => {
    expect(refused).toHaveLength(Object.keys(REFUSED).length);
    console.log(`refused fixes:\n${refused.join('\n')}`);
  });

  it('--dry-run runs nothing: the fault stays', async () => {
    await injectFault(PREFIX, 'director.rp-filter');
    try {
      const dry = doctor(['lab', 'diagnose', '--prefix', PREFIX, '--fix', 'director.rp-filter', '--dry-run']);
      expect(dry.status, dry.out).toBe(0);
      expect(dry.out).toContain('dry run: nothing was run on any host');
      expect(await sysctl('director', 'net.ipv4.conf.all.rp_filter')).toBe('1');
    } finally {
      await revertFault(PREFIX, 'director.rp-filter');
    }
  }, 120_000);

  it('is healthy again after every revert', () => {
    expect(labDiagnose(PREFIX, []).verdict).toBe('ok');
  }, 120_000);
});
