// What changed since the last good run, on the lab: a healthy run recorded (and kept as the
// site's last ok run in a private state directory), then faults injected; each diagnosis lists
// the injected change, linked to the fault it named, against the recording (--baseline) or by
// itself against the kept last ok run. After the revert: no difference at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason } from '../lab/helpers.js';
import { freshLab, labDiagnose } from './lab-diagnose.js';
import { injectFault, revertFault } from '../../src/lab/index.js';
import type { BaselineDifference } from '../../src/model/baseline.js';

const PREFIX = 'bas';
const skip = labSkipReason(PREFIX);

describe.skipIf(skip !== null)(`baseline on the lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  freshLab(PREFIX);
  let dir = '';
  const saved = process.env.LVS_DOCTOR_STATE_DIR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-doctor-baseline-lab-'));
    // The child `lvs-doctor diagnose` inherits it: this test's state directory, nobody else's.
    process.env.LVS_DOCTOR_STATE_DIR = join(dir, 'state');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.LVS_DOCTOR_STATE_DIR;
    else process.env.LVS_DOCTOR_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  const healthy = (): string => join(dir, 'healthy');
  const named = (diffs: BaselineDifference[], host: string, key: RegExp): BaselineDifference[] => diffs.filter((d) => d.host === host && key.test(d.key));

  it('a healthy run is recorded, compared with nothing, and kept as the last ok run', () => {
    const r = labDiagnose(PREFIX, ['--record', healthy()]);
    expect(r.verdict).toBe('ok');
    expect(r.baseline).toBeUndefined();
  }, 120_000);

  it('director.rp-filter against --baseline: the rp_filter sysctl that changed, explaining the diagnosis', async () => {
    await injectFault(PREFIX, 'director.rp-filter');
    try {
      const r = labDiagnose(PREFIX, ['--baseline', healthy()]);
      expect(r.diagnoses[0]?.id).toBe('director.rp-filter');
      expect(r.baseline).toMatchObject({ source: 'given', path: healthy(), previous: { verdict: 'ok' } });
      const diffs = named(r.baseline!.differences, 'director', /^net\.ipv4\.conf\.all\.rp_filter$/);
      expect(diffs, JSON.stringify(r.baseline!.differences)).toEqual([expect.objectContaining({ before: '0', after: '1', explains: ['director.rp-filter'] })]);
    } finally {
      await revertFault(PREFIX, 'director.rp-filter');
    }
  }, 240_000);

  it("realserver.reply-route against the kept last ok run, by itself: rs1's route to the client", async () => {
    await injectFault(PREFIX, 'realserver.reply-route');
    try {
      const r = labDiagnose(PREFIX, []);
      expect(r.diagnoses[0]?.id).toBe('realserver.reply-route');
      expect(r.baseline?.source).toBe('last-ok');
      expect(r.baseline?.previous?.verdict).toBe('ok');
      expect(r.baseline?.ageSeconds).toBeGreaterThanOrEqual(0);
      const diffs = named(r.baseline!.differences, 'rs1', /^ip route get \S+ from \S+$/);
      expect(diffs, JSON.stringify(r.baseline!.differences)).toEqual([expect.objectContaining({ kind: 'route', change: 'changed', explains: ['realserver.reply-route'] })]);
      expect(diffs[0]!.after).toMatch(/via \S+\.254 /);
    } finally {
      await revertFault(PREFIX, 'realserver.reply-route');
    }
  }, 240_000);

  it('reverted: ok again and nothing differs from the recording (no counters, no noise)', () => {
    const r = labDiagnose(PREFIX, ['--baseline', healthy()]);
    expect(r.verdict).toBe('ok');
    expect(r.baseline!.differences).toEqual([]);
    expect(r.baseline!.compared).toBeGreaterThan(200);
  }, 120_000);

  it('--no-baseline leaves the kept run alone', () => {
    expect(labDiagnose(PREFIX, ['--no-baseline']).baseline).toBeUndefined();
  }, 120_000);
});
