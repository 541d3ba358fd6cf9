// The baseline and the transition in words, shared by the text, Nagios and TUI faces:
// "was CRITICAL (realserver.reply-route on rs1), now OK", "rs1 route ... (explains ...)".
import type { ResultDocument } from '../model/result.js';
import { rootDiagnoses } from './diagnoses.js';
import { nagiosState } from './verdicts.js';
import type { BaselineDifference, BaselineReport, PreviousStatus } from '../model/baseline.js';

/** How a run ended, as a later run remembers it. */
export function statusOf(result: ResultDocument): PreviousStatus {
  return { verdict: result.verdict, summary: result.summary, diagnoses: rootDiagnoses(result).map((d) => ({ id: d.id, hosts: [...d.hosts] })), at: result.startedAt };
}

/** "42s", "5m", "3h", "2d": how old a baseline is, at a glance. */
export function ageWords(seconds: number | null): string {
  if (seconds === null) return 'of unknown age';
  const s = Math.max(0, seconds);
  if (s < 120) return `${Math.round(s)}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

function statusWords(verdict: PreviousStatus['verdict'], diagnoses: { id: string; hosts: string[] }[]): string {
  const named = diagnoses.slice(0, 3).map((d) => `${d.id} on ${d.hosts.join(',') || '?'}`);
  const more = diagnoses.length > 3 ? `, +${diagnoses.length - 3} more` : '';
  return `${nagiosState(verdict)}${named.length ? ` (${named.join(', ')}${more})` : ''}`;
}

/**
 * From an earlier run to this one: "was CRITICAL (realserver.reply-route on rs1), now OK", and
 * when both failed, what is still failing and what is new.
 */
export function transitionWords(previous: PreviousStatus, now: Pick<ResultDocument, 'verdict' | 'diagnoses'>): string {
  const roots = rootDiagnoses(now).map((d) => ({ id: d.id, hosts: d.hosts }));
  const key = (d: { id: string; hosts: string[] }): string => `${d.id}@${[...d.hosts].sort().join(',')}`;
  const before = new Set(previous.diagnoses.map(key));
  const after = new Set(roots.map(key));
  const still = roots.filter((d) => before.has(key(d)));
  const fresh = roots.filter((d) => !before.has(key(d)));
  const gone = previous.diagnoses.filter((d) => !after.has(key(d)));
  const parts = [`was ${statusWords(previous.verdict, previous.diagnoses)}, now ${nagiosState(now.verdict)}`];
  if (still.length && (gone.length || fresh.length)) parts.push(`still failing: ${still.map((d) => d.id).join(', ')}`);
  else if (still.length) parts.push('still failing');
  if (gone.length && roots.length) parts.push(`gone: ${gone.map((d) => d.id).join(', ')}`);
  if (fresh.length && previous.diagnoses.length) parts.push(`new: ${fresh.map((d) => `${d.id} on ${d.hosts.join(',') || '?'}`).join(', ')}`);
  return parts.join('; ');
}

/** "the last ok run of this site (…, 3h ago)" / "fixtures/bundles/healthy (recorded …, 2d ago)". */
export function baselineTitle(b: BaselineReport): string {
  const what = b.source === 'last-ok' ? `the last ok run of this site, ${b.path}` : b.path;
  return `${what} (recorded ${b.recordedAt}, ${ageWords(b.ageSeconds)})`;
}

export function differenceWords(d: BaselineDifference): string {
  const show = (v: string | null): string => (v === null ? '(absent)' : v === '' ? '(present)' : v);
  const change = d.change === 'changed' ? `${show(d.before)} -> ${show(d.after)}` : d.change === 'added' ? `added${d.after ? `: ${d.after}` : ''}` : `removed${d.before ? ` (was ${d.before})` : ''}`;
  const explains = d.explains.length ? `  (explains ${d.explains.join(', ')})` : '';
  return `${d.host} ${d.kind} ${d.key}: ${change}${explains}`;
}

/** The differences, those that explain a diagnosis first. */
export function orderedDifferences(b: BaselineReport): BaselineDifference[] {
  return [...b.differences.filter((d) => d.explains.length > 0), ...b.differences.filter((d) => d.explains.length === 0)];
}

/** The text face's section. */
export function baselineLines(b: BaselineReport, now: Pick<ResultDocument, 'verdict' | 'diagnoses'>): string[] {
  const lines = [`changed since the baseline: ${b.differences.length + b.truncated}${b.truncated ? ` (${b.truncated} not shown)` : ''} of ${b.compared} facts compared, against ${baselineTitle(b)}`];
  if (b.previous) lines.push(`  ${transitionWords(b.previous, now)}`);
  if (b.differences.length === 0) lines.push('  (no difference in routes, rules, addresses, listeners, sysctls, IPVS table or firewall rules)');
  for (const d of orderedDifferences(b)) lines.push(`  ~ ${differenceWords(d)}`);
  return lines;
}
