// Issue 16.1: a consequence is folded under its cause in every face. The bundles are real lab
// runs (fixtures/bundles/), replayed offline.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { explainingCause, rootCauses } from '../../src/model/consequences.js';
import type { ResultDocument } from '../../src/model/result.js';
import { formatFixCommands } from '../../src/report/fixes.js';
import { formatNagios } from '../../src/report/nagios.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { formatText } from '../../src/report/text.js';
import { schemaErrors } from './schema-validator.js';

const bundles = new URL('../../fixtures/bundles/', import.meta.url).pathname;
const replay = (name: string): Promise<ResultDocument> => replayBundle(join(bundles, name));

describe('a consequence is folded under its cause', () => {
  for (const [name, cause] of [
    ['realserver.silent-drop', 'realserver.silent-drop'],
    ['realserver.firewall-reject', 'realserver.firewall-reject'],
  ] as const) {
    it(`${name}: director.return-path-stalled is explained by ${cause}, with no fix of its own, in every face`, async () => {
      const result = await replay(name);
      expect(schemaErrors(result)).toEqual([]);
      expect(result.diagnoses.map((d) => [d.id, d.explainedBy])).toEqual([
        [cause, undefined],
        ['director.return-path-stalled', cause],
      ]);
      const stalled = result.diagnoses[1];
      expect(stalled.fixes).toEqual([]);
      expect(stalled.evidence.length).toBeGreaterThan(0);
      const table = result.checks.find((c) => c.id === 'q3.connection-table');
      expect(table).toMatchObject({ verdict: 'fail', explainedBy: 'q4.realserver-answers', fixes: [] });

      const text = formatText(result);
      expect(text).toContain('diagnoses: 1 (and 1 consequence folded under their cause)');
      expect(text).toContain('      explains FAIL director.return-path-stalled on rs1  (check q3.connection-table, certainty 0.6): no fix of its own');
      expect(text).not.toContain('[2] ');
      expect(text).not.toContain('ip route replace default');
      expect(formatFixCommands(result)).not.toContain('ip route');

      const nagios = formatNagios(result).text;
      expect(nagios).toContain(' diagnoses=1;;;0 ');
      expect(nagios).not.toContain('+1 more');
      expect(nagios).toContain('\n  explains director.return-path-stalled on rs1: ');

      const prom = formatPrometheus(result);
      expect(prom).not.toMatch(/^lvs_doctor_diagnosis\{id="director\.return-path-stalled"/m);
      expect(prom).toContain(`lvs_doctor_consequence{id="director.return-path-stalled",host="rs1",explained_by="${cause}"} 1`);
    });
  }

  it('director.return-path-stalled named on its own stays a root cause with its fix', async () => {
    const result = await replay('director.return-path-stalled');
    expect(result.diagnoses[0]).toMatchObject({ id: 'director.return-path-stalled' });
    expect(result.diagnoses[0].explainedBy).toBeUndefined();
    expect(result.diagnoses[0].fixes.length).toBeGreaterThan(0);
    expect(result.checks.every((c) => c.explainedBy === undefined)).toBe(true);
  });
});

describe('the rules of explainingCause', () => {
  const d = (id: Parameters<typeof explainingCause>[0]['id'], hosts: string[], certainty = 1, severity: 'fail' | 'warn' = 'fail') => ({ id, hosts, certainty, severity });

  it('a realserver fault explains a stalled return path on the same realserver only', () => {
    const stalled = d('director.return-path-stalled', ['rs1'], 0.6);
    expect(explainingCause(stalled, [d('realserver.silent-drop', ['rs1']), stalled])?.id).toBe('realserver.silent-drop');
    expect(explainingCause(stalled, [d('realserver.silent-drop', ['rs2']), stalled])).toBeUndefined();
  });

  it('a director fault on the path explains it whatever the realserver', () => {
    const stalled = d('director.return-path-stalled', ['rs1'], 0.6);
    expect(explainingCause(stalled, [d('director.firewall-drop', ['director']), stalled])?.id).toBe('director.firewall-drop');
    expect(explainingCause(stalled, [d('director.vip-not-local', ['director']), stalled])).toBeUndefined();
  });

  it('a warning, or a less certain fault, explains nothing', () => {
    const stalled = d('director.return-path-stalled', ['rs1'], 0.9);
    expect(explainingCause(stalled, [d('realserver.reply-route', ['rs1'], 1, 'warn'), stalled])).toBeUndefined();
    expect(explainingCause(stalled, [d('realserver.reply-route', ['rs1'], 0.8), stalled])).toBeUndefined();
  });

  it('chains end at the root cause', () => {
    const rip = d('realserver.rip-missing', ['rs1']);
    const unreachable = d('realserver.unreachable', ['rs1'], 0.9);
    const stalled = d('director.return-path-stalled', ['rs1'], 0.6);
    const roots = rootCauses([rip, unreachable, stalled]);
    expect(roots.get(unreachable)).toBe(rip);
    expect(roots.get(stalled)).toBe(rip);
    expect(roots.has(rip)).toBe(false);
  });
});
