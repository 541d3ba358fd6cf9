// Builds the public result document from the check results: diagnoses merged by fault id,
// most certain first; the overall verdict; counts per question for Nagios perfdata.
import { QUESTIONS, uniqueEvidence, type CheckResult, type QuestionId } from '../model/check.js';
import type { Hop } from '../model/hops.js';
import type { Diagnosis, HostStatus, Interruption, OverallVerdict, ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { rootCauses } from '../model/consequences.js';
import { accessCause, accessHint, unreachedHosts } from '../model/access-hint.js';
import { TOOL_VERSION } from '../version.js';

export function collectDiagnoses(checks: CheckResult[]): Diagnosis[] {
  const byId = new Map<string, Diagnosis>();
  const order: { d: Diagnosis; rank: number }[] = [];
  checks.forEach((c, rank) => {
    if (!c.fault || (c.verdict !== 'fail' && c.verdict !== 'warn')) return;
    const hosts = c.faultHosts ?? (c.evidence[0] ? [c.evidence[0].host] : []);
    const certainty = c.certainty ?? (c.verdict === 'fail' ? 0.8 : 0.5);
    const existing = byId.get(c.fault);
    if (existing) {
      // Two checks naming one fault corroborate it: keep the strongest wording, merge the proof.
      for (const h of hosts) if (!existing.hosts.includes(h)) existing.hosts.push(h);
      existing.evidence = uniqueEvidence([...existing.evidence, ...c.evidence]);
      for (const fix of c.fixes) {
        if (!existing.fixes.some((f) => f.host === fix.host && f.commands.join('\n') === fix.commands.join('\n'))) existing.fixes.push(fix);
      }
      if (c.verdict === 'fail') existing.severity = 'fail';
      // In hundredths: 0.9 + 0.05 is 0.9500000000000001 in binary, and reports print it.
      existing.certainty = Math.min(100, Math.round(Math.max(existing.certainty, certainty) * 100) + 5) / 100;
      return;
    }
    const d: Diagnosis = {
      id: c.fault,
      severity: c.verdict === 'fail' ? 'fail' : 'warn',
      hosts: [...hosts],
      summary: c.summary,
      evidence: [...c.evidence],
      fixes: [...c.fixes],
      check: c.id,
      certainty,
    };
    byId.set(c.fault, d);
    order.push({ d, rank });
  });
  const ranked = order.sort((a, b) => sev(b.d) - sev(a.d) || b.d.certainty - a.d.certainty || a.rank - b.rank).map((o) => o.d);
  return foldConsequences(ranked);
}

/** Root causes first (ranked), then the consequences they explain, without fixes (src/model/consequences.ts). */
function foldConsequences(ranked: Diagnosis[]): Diagnosis[] {
  const roots = rootCauses(ranked);
  const causes = ranked.filter((d) => !roots.has(d));
  const consequences = ranked.flatMap((d) => {
    const root = roots.get(d);
    return root ? [{ ...d, fixes: [], explainedBy: root.id }] : [];
  });
  return [...causes, ...consequences];
}

/** A check whose fault was folded under a cause points at the check that named the cause, and offers no fix. */
export function markExplainedChecks(checks: CheckResult[], diagnoses: Diagnosis[]): CheckResult[] {
  const causeCheck = new Map(diagnoses.map((d) => [d.id, d.check]));
  return checks.map((c) => {
    const folded = c.fault && (c.verdict === 'fail' || c.verdict === 'warn') ? diagnoses.find((d) => d.id === c.fault && d.explainedBy) : undefined;
    const by = folded?.explainedBy ? causeCheck.get(folded.explainedBy) : undefined;
    return by ? { ...c, fixes: [], explainedBy: by } : c;
  });
}

function sev(d: Diagnosis): number {
  return d.severity === 'fail' ? 1 : 0;
}

export function overallVerdict(checks: CheckResult[], diagnoses: Diagnosis[]): OverallVerdict {
  if (diagnoses.some((d) => d.severity === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  // Without a named fault, a check we could not evaluate means we cannot say "ok".
  if (checks.some((c) => c.verdict === 'unknown' || c.verdict === 'error')) return 'unknown';
  if (diagnoses.length > 0 || checks.some((c) => c.verdict === 'warn')) return 'warn';
  return 'ok';
}

function withAccessHint(h: HostStatus): HostStatus {
  const hint = h.status === 'unreachable' && h.reason ? accessHint(h.reason) : undefined;
  return hint ? { ...h, hint } : h;
}

/** A check failed but named no fault (a Q.1 ping cannot say whose the fault is): say which check. */
function failedWithoutFault(checks: CheckResult[]): string {
  const failed = checks.filter((c) => c.verdict === 'fail');
  const others = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
  return `no fault named, but a check failed${others}: ${failed[0]?.id ?? '?'}: ${failed[0]?.summary ?? ''}`;
}

/** "director (director) could not be reached: its ssh host key is not known yet (first contact); next: ..." */
function unreachedSummary(unreached: HostStatus[]): string {
  const first = unreached[0];
  const others = unreached.length > 1 ? ` (and ${unreached.length - 1} more host${unreached.length > 2 ? 's' : ''})` : '';
  return `${first.name} (${first.role}) could not be reached${others}: ${accessCause(first.reason ?? '')}${first.hint ? `; next: ${first.hint}` : ''}`;
}

export interface ResultInputs {
  topology: Topology;
  checks: CheckResult[];
  hops: Hop[];
  hosts: HostStatus[];
  startedAt: Date;
  durationMs: number;
  mode: ResultDocument['mode'];
  connectionTable?: ResultDocument['connectionTable'];
  probeFailures?: ResultDocument['probeFailures'];
  /** The run stopped early: the verdict is unknown whatever was found so far. */
  interrupted?: Interruption;
}

export function buildResult(inputs: ResultInputs): ResultDocument {
  const diagnoses = collectDiagnoses(inputs.checks);
  const checks = markExplainedChecks(inputs.checks, diagnoses);
  // A run cut short has not looked everywhere: nothing it found so far makes the whole "ok" or
  // "fail" (the diagnoses it has are kept, as what was seen).
  const verdict = inputs.interrupted ? 'unknown' : overallVerdict(checks, diagnoses);
  const countsByQuestion = Object.fromEntries(QUESTIONS.map((q) => [q, {} as Record<string, number>])) as Record<QuestionId, Record<string, number>>;
  for (const c of inputs.checks) countsByQuestion[c.question][c.verdict] = (countsByQuestion[c.question][c.verdict] ?? 0) + 1;
  const proven = inputs.checks.filter((c) => c.verdict === 'pass').map((c) => c.summary);
  const unproven = inputs.checks.filter((c) => c.verdict === 'unknown' || c.verdict === 'error' || c.verdict === 'blocked').map((c) => `${c.id}: ${c.summary}`);
  // Hosts that could not be reached come first: on a first run their cause is the whole story.
  const hosts = inputs.hosts.map(withAccessHint);
  const unreached = unreachedHosts({ hosts });
  unproven.unshift(...unreached.map((h) => `${h.name} (${h.role}) could not be reached: ${h.reason ?? 'no reason given'}${h.hint ? `; next: ${h.hint}` : ''}`));
  for (const h of hosts) {
    if (h.status !== 'reachable' && h.status !== 'unreachable') unproven.push(`${h.name} (${h.role}) was not probed: ${h.status}${h.reason ? ` (${h.reason})` : ''}`);
  }
  for (const f of inputs.probeFailures ?? []) {
    if (f.failure !== 'skipped') unproven.push(`${f.host}: \`${f.command}\` gave no usable answer: ${f.message}`);
  }
  const notes = inputs.checks.flatMap((c) => c.notes ?? []);
  const { service } = inputs.topology;
  if (inputs.interrupted) unproven.unshift(inputs.interrupted.message);
  const summary = inputs.interrupted
    ? `${inputs.interrupted.message}${diagnoses.length > 0 ? `; seen so far: ${diagnoses[0].id} on ${diagnoses[0].hosts.join(', ') || 'the path'}` : ''}`
    : diagnoses.length > 0
      ? `${diagnoses[0].id} on ${diagnoses[0].hosts.join(', ') || 'the path'}: ${diagnoses[0].summary}`
      : verdict === 'ok'
        ? `${service.protocol} ${service.vip}:${service.vport} works: every hop of the test connection seen and rewritten as the table says`
        : verdict === 'unknown' && unreached.length > 0
          ? unreachedSummary(unreached)
          : verdict === 'unknown'
          ? `no fault proven, but not everything could be checked: ${unproven[0] ?? ''}`
          : verdict === 'fail'
          ? failedWithoutFault(inputs.checks)
          : `warnings only: ${inputs.checks.find((c) => c.verdict === 'warn')?.summary ?? ''}`;
  return {
    schemaVersion: 1,
    tool: { name: 'lvs-doctor', version: TOOL_VERSION },
    verdict,
    summary,
    startedAt: inputs.startedAt.toISOString(),
    durationMs: Math.round(inputs.durationMs),
    mode: inputs.mode,
    service: { protocol: service.protocol, vip: service.vip, vport: service.vport },
    diagnoses,
    checks,
    hops: inputs.hops,
    hosts,
    proven,
    unproven,
    ...(notes.length > 0 ? { notes } : {}),
    ...(inputs.connectionTable ? { connectionTable: inputs.connectionTable } : {}),
    ...(inputs.probeFailures && inputs.probeFailures.length > 0 ? { probeFailures: inputs.probeFailures } : {}),
    countsByQuestion,
    ...(inputs.interrupted ? { interrupted: inputs.interrupted } : {}),
  };
}
