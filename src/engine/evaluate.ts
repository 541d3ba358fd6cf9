// Evaluates the checks in dependency order over the run's facts. The engine alone assigns
// `blocked` (a needed check did not pass) and `error` (a probe's parser or the check threw):
// one broken probe never sinks the run.
import type { CheckResult, FindingVerdict } from '../model/check.js';
import type { Topology } from '../model/topology.js';
import type { CheckDefinition } from './check-definition.js';
import type { Facts, ProbeOutcome } from '../facts/facts.js';
import { guardFixes } from './fix-guard.js';

/** A dependency counts as satisfied when it passed, warned or was skipped (not applicable). */
const SATISFIED: ReadonlySet<string> = new Set(['pass', 'warn', 'skip']);

export function evaluateCheck(check: CheckDefinition, topology: Topology, facts: Facts, done: Map<string, CheckResult>): CheckResult {
  const started = performance.now();
  const base = { id: check.id, question: check.question, title: check.title };
  const finish = (partial: Omit<CheckResult, 'id' | 'question' | 'title' | 'durationMs'>): CheckResult => ({
    ...base,
    ...partial,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  });

  const failedDep = check.needs.map((id) => done.get(id)!).find((r) => !SATISFIED.has(r.verdict));
  if (failedDep) {
    return finish({
      verdict: 'blocked',
      summary: `not evaluated: it needs '${failedDep.id}', which ended ${failedDep.verdict}`,
      reason: failedDep.id,
      evidence: [],
      fixes: [],
    });
  }

  // An older bundle lacks a probe this check reads: nothing to judge it by, and nothing wrong.
  const unrecorded = unrecordedProbe(check, topology, facts);
  if (unrecorded) {
    return finish({
      verdict: 'skip',
      summary: `${NOT_RECORDED}: ${unrecorded.command} on ${unrecorded.host}`,
      reason: NOT_RECORDED,
      evidence: [],
      fixes: [],
    });
  }

  // A required probe whose parser threw is an error of this check, named with the parser's words.
  for (const need of check.probes.filter((p) => p.required)) {
    const hosts = hostsOfRole(topology, need.role);
    for (const host of hosts) {
      const outcome = facts.outcome(host, need.probe);
      if (outcome && !outcome.ok && (outcome.failure === 'parse' || outcome.failure === 'validation')) {
        return finish({
          verdict: 'error',
          summary: `${outcome.command} on ${host}: ${outcome.message}`,
          reason: `${need.probe}@${host}`,
          evidence: [{ host, command: outcome.command, lines: [outcome.message] }],
          fixes: [],
        });
      }
    }
  }

  const deps: Record<string, CheckResult> = {};
  for (const id of [...check.needs, ...(check.softNeeds ?? [])]) deps[id] = done.get(id)!;
  try {
    const finding = check.evaluate({ topology, facts, deps });
    return finish({ ...finding, verdict: finding.verdict as FindingVerdict, fixes: guardFixes(finding.fixes) });
  } catch (err) {
    return finish({
      verdict: 'error',
      summary: `the check itself failed: ${err instanceof Error ? err.message : String(err)}`,
      reason: 'evaluate threw',
      evidence: [],
      fixes: [],
    });
  }
}

export const NOT_RECORDED = 'not recorded in this bundle';

function unrecordedProbe(check: CheckDefinition, topology: Topology, facts: Facts): ProbeOutcome | undefined {
  return check.probes
    .filter((need) => !need.supplementary)
    .flatMap((need) => {
      const hosts = hostsOfRole(topology, need.role);
      return facts.all().filter((o) => o.probe === need.probe && hosts.includes(o.host));
    })
    .find((o) => !o.ok && o.notRecorded === true);
}

export function hostsOfRole(topology: Topology, role: string): string[] {
  if (role === 'director') return [topology.director.name];
  if (role === 'client') return [topology.client.name];
  return topology.realservers.map((r) => r.name);
}
