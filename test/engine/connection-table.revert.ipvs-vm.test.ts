// "Did my fix work?": the run right after a fault is reverted, on real IPVS (job vs of the qemu
// guest, fixtures/captures/ipvs-vm/MANIFEST.md). The failed connections' SYN_RECV entries are
// still in `ipvsadm -Lnc` beside the new, working ones; the check graph must judge the present
// (the test connection's own entries, by client address and port) and report the rest as notes.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { connectionTable } from '../../checks/q3-director/connection-table.js';
import { connectionTableDigest } from '../../src/facts/connection-table.js';
import { evaluateCheck } from '../../src/engine/evaluate.js';
import type { Facts } from '../../src/facts/facts.js';
import { validateGraph } from '../../src/engine/graph.js';
import { buildResult, collectDiagnoses } from '../../src/engine/result.js';
import { formatText } from '../../src/report/text.js';
import type { CheckResult } from '../../src/model/check.js';
import { guestFacts, guestTopology, recordIpvsadm, recordTestConnection } from './ipvs-vm-facts.js';

type Fault = 'reply-route' | 'ip-forward';

async function factsOf(fault: Fault, when: 'fault' | 'after'): Promise<Facts> {
  const kase = `vs-revert-${fault}`;
  const facts = guestFacts();
  recordIpvsadm(facts, 'ipvsadm', `${kase}--ipvsadm-ln-${when}.out`, 'ipvsadm -Ln');
  recordIpvsadm(facts, 'ipvsadm-conn', `${kase}--ipvsadm-lnc-${when}.out`, 'ipvsadm -Lnc');
  await recordTestConnection(facts, `${kase}--tcpdump-${when}`);
  return facts;
}

function runGraph(facts: Facts): CheckResult[] {
  const done = new Map<string, CheckResult>();
  for (const check of validateGraph(CHECKS)) done.set(check.id, evaluateCheck(check, guestTopology, facts, done));
  return [...done.values()];
}

describe('the run right after a fault is reverted (real IPVS, job vs)', () => {
  it('after the reply route is put back: the whole table still looks stalled for rs1 (the trap)', async () => {
    const facts = await factsOf('reply-route', 'after');
    expect(connectionTableDigest(guestTopology, facts)?.find((r) => r.realserver === 'rs1')).toEqual({ realserver: 'rs1', synRecv: 2, established: 0, other: 1 });
  });

  for (const fault of ['reply-route', 'ip-forward'] as const) {
    it(`${fault} reverted: q3.connection-table passes on the test connections' own entries, the old SYN_RECV ones are notes`, async () => {
      const facts = await factsOf(fault, 'after');
      expect(facts.hopAnalysis?.connections.map((c) => c.lastSeen)).toEqual([4, 4]);
      const finding = connectionTable.evaluate({ topology: guestTopology, facts, deps: {} });
      expect(finding.verdict).toBe('pass');
      expect(finding.summary).toMatch(/TIME_WAIT/);
      // Every history note names a realserver, the SYN_RECV state and the time left.
      expect(finding.notes?.length).toBeGreaterThan(0);
      for (const note of finding.notes!) expect(note).toMatch(/half-open entr(y|ies) to rs[12] from earlier connections.*SYN_RECV \d+ s left/);
    });

    it(`${fault} reverted: the first run is ok, no check fails and nothing is diagnosed`, async () => {
      const results = runGraph(await factsOf(fault, 'after'));
      expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
      expect(collectDiagnoses(results)).toEqual([]);
      for (const id of ['q3.request-forwarded', 'q3.reply-returns', 'q3.reply-rewritten', 'q3.connection-table']) expect(results.find((r) => r.id === id)?.verdict, id).toBe('pass');
    });
  }

  it('reply-route reverted: the result document and the text report carry the history as notes', async () => {
    const checks = runGraph(await factsOf('reply-route', 'after'));
    const result = buildResult({ topology: guestTopology, checks, hops: [], hosts: [], startedAt: new Date(0), durationMs: 0, mode: 'replay' });
    expect(result.diagnoses).toEqual([]);
    expect(result.notes).toEqual([expect.stringMatching(/^ipvsadm -Lnc: 2 half-open entries to rs1 .*10\.1\.0\.2:34726 SYN_RECV 53 s left, 10\.1\.0\.2:34704 SYN_RECV 58 s left/)]);
    expect(formatText(result)).toMatch(/\nnotes:\n  \* ipvsadm -Lnc: 2 half-open entries to rs1/);
  });

  it('during the reply-route fault: the test connections own stuck entries still name the stall on rs1 only', async () => {
    const facts = await factsOf('reply-route', 'fault');
    const finding = connectionTable.evaluate({ topology: guestTopology, facts, deps: {} });
    expect(finding).toMatchObject({ verdict: 'fail', fault: 'director.return-path-stalled', faultHosts: ['rs1'] });
    expect(finding.evidence[0].lines).toHaveLength(2);
    for (const line of finding.evidence[0].lines) expect(line).toMatch(/SYN_RECV .* 172\.16\.1\.11:80$/);
    expect(finding.notes).toBeUndefined();
  });

  it('during the ip_forward fault: every test connection is stuck, both realservers are named', async () => {
    const facts = await factsOf('ip-forward', 'fault');
    const finding = connectionTable.evaluate({ topology: guestTopology, facts, deps: {} });
    expect(finding).toMatchObject({ verdict: 'fail', fault: 'director.return-path-stalled', faultHosts: ['rs1', 'rs2'] });
  });
});
