// The real-IPVS fault suite (LVS_DOCTOR_SUITE=ipvs; .ci/run runs it): one guest booted for the
// whole file (kernel IPVS under qemu TCG), healthy first, then every fault the real-IPVS lab can
// show injected, diagnosed, reverted and diagnosed again. The fault must be named first on its
// host; the run right after each revert must be ok (no false alarm from the past); at the end
// the lab goes down leaving nothing. The doctor keeps one ssh master per host across runs.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { injectFault, labDown, labFaults, labUp, labStatus, revertFault } from '../../src/lab/index.js';
import { labSkipReason } from '../lab/helpers.js';
import { labDiagnose } from '../e2e/lab-diagnose.js';
import type { ResultDocument } from '../../src/model/result.js';

const PREFIX = 'civs';
const skip = labSkipReason(PREFIX) ?? (process.env.LVS_DOCTOR_SUITE === 'ipvs' ? null : 'run with LVS_DOCTOR_SUITE=ipvs');
const faults = labFaults('ipvs');

const summary = (r: ResultDocument): string => JSON.stringify({ verdict: r.verdict, diagnoses: r.diagnoses.map((d) => `${d.id} on ${d.hosts.join(',')}: ${d.summary}`), notes: r.notes });

/** The host the doctor must name: the target of a realserver fault (and of the director's view
 * of one, return-path-stalled), the client when its SYN never leaves, else the director (also
 * for client.fwmark-unmarked: the missing mark rule is the director's). */
function faultHost(f: { id: string; defaultTarget?: string }): string {
  if (f.defaultTarget && (f.id.startsWith('realserver.') || f.id === 'director.return-path-stalled')) return f.defaultTarget;
  return f.id === 'client.no-route-to-vip' ? 'client' : 'director';
}

function flagsOf(f: { id: string; onenet: boolean; fwmark?: boolean }): string[] {
  return [...(f.onenet ? ['--onenet'] : []), ...(f.fwmark ? ['--fwmark'] : []), ...(f.id === 'director.return-path-stalled' ? ['--director-only'] : [])];
}

const timings: string[] = [];

describe.skipIf(skip !== null)(`the real-IPVS lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
    const t0 = Date.now();
    // Builds the guest first when the cache has none (debootstrap: minutes).
    await labUp({ prefix: PREFIX, backend: 'ipvs' });
    timings.push(`up ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }, 40 * 60_000);

  afterAll(async () => {
    const { leftovers } = await labDown(PREFIX);
    process.stdout.write(`real-IPVS suite timings: ${timings.join(', ')}\n`);
    expect(leftovers).toEqual([]);
  }, 120_000);

  it('comes up healthy and the doctor says ok', async () => {
    const status = await labStatus(PREFIX);
    expect(status.healthy, JSON.stringify(status)).toBe(true);
    const r = labDiagnose(PREFIX, []);
    expect(r.verdict, summary(r)).toBe('ok');
  }, 300_000);

  for (const f of faults) {
    it(`${f.id}: named first on ${faultHost(f)}; ok right after the revert`, async () => {
      const t0 = Date.now();
      await injectFault(PREFIX, f.id);
      let broken: ResultDocument;
      try {
        broken = labDiagnose(PREFIX, flagsOf(f));
      } finally {
        await revertFault(PREFIX, f.id);
      }
      const fixed = labDiagnose(PREFIX, []);
      timings.push(`${f.id} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      expect(broken.diagnoses[0]?.id, summary(broken)).toBe(f.id);
      expect(broken.diagnoses[0]?.hosts, summary(broken)).toContain(faultHost(f));
      expect(fixed.verdict, `right after reverting ${f.id}: ${summary(fixed)}`).toBe('ok');
    }, 600_000);
  }

  it('is healthy again at the end', async () => {
    const r = labDiagnose(PREFIX, []);
    expect(r.verdict, summary(r)).toBe('ok');
  }, 300_000);
});
