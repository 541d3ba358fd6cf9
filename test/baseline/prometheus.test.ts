// The baseline's Prometheus families, on a real comparison: the recorded reply-route fault
// against the recorded healthy run of the same lab (fixtures/bundles).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBaseline } from '../../src/baseline/load.js';
import { compareWith } from '../../src/baseline/session.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { validateTopology } from '../../src/discover/topology-check.js';
import type { ResultDocument } from '../../src/model/result.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { readBundle } from '../../src/transport/bundle.js';
import { parseExposition } from '../report/prometheus-grammar.js';

const root = new URL('../../fixtures/', import.meta.url).pathname;

async function compared(baselineDir: string, nowDir: string): Promise<ResultDocument> {
  const now = await readBundle(nowDir);
  const topology = validateTopology(now.manifest.topology, nowDir);
  const result = await replayBundle(nowDir);
  return { ...result, baseline: await compareWith(await openBaseline(baselineDir, 'given', topology, null), now, result, topology) };
}

describe('formatPrometheus with a baseline', () => {
  it('counts the differences per host and kind (zeros included), the facts compared and the age', async () => {
    const result = await compared(join(root, 'bundles/healthy'), join(root, 'bundles/realserver.reply-route'));
    const baseline = result.baseline!;
    const samples = parseExposition(formatPrometheus(result));
    const series = (name: string) => samples.filter((s) => s.name === name);
    const differences = series('lvs_doctor_baseline_differences');
    // rs1's route to the client is the injected change.
    expect(differences.find((s) => s.labels.host === 'rs1' && s.labels.kind === 'route')?.value).toBeGreaterThanOrEqual(1);
    expect(differences.find((s) => s.labels.host === 'rs2' && s.labels.kind === 'route')?.value).toBe(0);
    for (const host of result.hosts.map((h) => h.name)) {
      for (const kind of ['route', 'rule', 'address', 'sysctl', 'ipvs', 'firewall', 'listener']) {
        const value = differences.find((s) => s.labels.host === host && s.labels.kind === kind)?.value;
        expect(value, `${host} ${kind}`).toBe(baseline.differences.filter((d) => d.host === host && d.kind === kind).length);
      }
    }
    expect(differences.reduce((sum, s) => sum + s.value, 0)).toBe(baseline.differences.length);
    expect(baseline.differences.length).toBeGreaterThan(0);
    expect(series('lvs_doctor_baseline_facts_compared')[0].value).toBe(baseline.compared);
    expect(series('lvs_doctor_baseline_age_seconds')).toEqual([{ name: 'lvs_doctor_baseline_age_seconds', labels: { source: 'given' }, value: baseline.ageSeconds }]);
  });

  it('healthy against a healthy run of another day: every count 0', async () => {
    const result = await compared(join(root, 'bundles/healthy'), join(root, 'bundles-later/healthy'));
    const differences = parseExposition(formatPrometheus(result)).filter((s) => s.name === 'lvs_doctor_baseline_differences');
    expect(differences.length).toBe(result.hosts.length * 7);
    expect(differences.every((s) => s.value === 0)).toBe(true);
  });

  it('no baseline, no baseline series', async () => {
    const page = formatPrometheus(await replayBundle(join(root, 'bundles/realserver.reply-route')));
    expect(page).not.toContain('lvs_doctor_baseline');
  });
});
