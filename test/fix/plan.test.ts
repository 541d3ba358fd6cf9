// Refusals before anything is read: a consequence, an advice-only fix, an off-limits host; and
// the saved record's rollback commands checked before root runs them.
import { describe, expect, it } from 'vitest';
import { actionsOf } from '../../src/fix/plan.js';
import { checkRecord, FixStateError, type FixRecord } from '../../src/fix/state.js';
import type { Diagnosis } from '../../src/model/result.js';
import type { Topology } from '../../src/model/topology.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const topology = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/fix-sessions/realserver.reply-route/audit/manifest.json'), 'utf8')) as { topology: Topology }).topology;

const diagnosis = (over: Partial<Diagnosis>): Diagnosis => ({ id: 'realserver.reply-route', severity: 'fail', hosts: ['rs1'], summary: 's', evidence: [], fixes: [], check: 'q2.reply-route', certainty: 1, ...over });

describe('actionsOf', () => {
  it('takes the fix of a root cause', () => {
    const r = actionsOf(diagnosis({ fixes: [{ host: 'rs1', commands: ['ip route replace default via 10.219.2.1'], why: 'w' }] }), topology);
    expect(r.refused).toBeUndefined();
    expect(r.actions.map((a) => a.host)).toEqual(['rs1']);
  });

  it('refuses a consequence: its root cause is the fix', () => {
    expect(actionsOf(diagnosis({ id: 'director.return-path-stalled', explainedBy: 'realserver.reply-route' }), topology).refused).toMatch(/consequence of realserver.reply-route/);
  });

  it('refuses a fix that is advice only, quoting the advice', () => {
    expect(actionsOf(diagnosis({ fixes: [{ host: 'director', commands: [], why: 'add DNAT targets' }] }), topology).refused).toMatch(/no command; the advice: add DNAT targets/);
  });

  it('refuses a host that is off-limits or unknown', () => {
    const offLimits = { ...topology, realservers: topology.realservers.map((r) => (r.name === 'rs1' ? { ...r, access: 'none' as const } : r)) };
    const d = diagnosis({ fixes: [{ host: 'rs1', commands: ['ip route replace default via 10.219.2.1'], why: 'w' }] });
    expect(actionsOf(d, offLimits).refused).toMatch(/rs1 is off-limits/);
    expect(actionsOf(diagnosis({ fixes: [{ host: 'rs9', commands: ['ip route flush cache'], why: 'w' }] }), topology).refused).toMatch(/rs9 is not a host/);
  });
});

describe('checkRecord', () => {
  const record = (commands: string[][]): FixRecord => ({ tool: 'lvs-doctor', kind: 'fix', id: 'x', check: 'c', createdAt: '', topology, steps: [{ host: 'rs1', printed: '', action: { kind: 'route-flush-cache' }, apply: [], saved: [], rollback: { commands, note: '' } }], setAside: [], applied: 1, status: 'verified' });
  it('lets the rollback commands lvs-doctor writes through', () => {
    expect(() => checkRecord(record([['ip', 'route', 'replace', 'default', 'via', '10.219.2.254']]))).not.toThrow();
  });
  it('stops a program it never writes, or a control character', () => {
    expect(() => checkRecord(record([['sh', '-c', 'id']]))).toThrow(FixStateError);
    expect(() => checkRecord(record([['sysctl', '-w', 'a=1\u001b']]))).toThrow(FixStateError);
  });
});
