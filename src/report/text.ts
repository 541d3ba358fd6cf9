// `--format text`: plain and greppable (no escape codes, no wrapping), the default when
// stdout is not a terminal and the fallback when the TUI fails.
import { QUESTIONS, QUESTION_TITLES } from '../model/check.js';
import { uniqueEvidence, type CheckResult, type Evidence, type Fix } from '../model/check.js';
import { EXIT_CODES } from '../model/result.js';
import type { Diagnosis, ResultDocument } from '../model/result.js';
import { packetPathRows, whereLines } from './packet-path.js';
import type { PathRowState } from './packet-path.js';
import { checkWord, formatDuration } from './verdicts.js';
import { displaySafe } from './untrusted-text.js';
import { baselineLines } from './baseline-words.js';
import { consequenceCount, consequencesOf, rootDiagnoses, unreachedHosts } from './diagnoses.js';

export interface TextOptions {
  /** Also print the evidence of every check, not only of the diagnoses. */
  verbose?: boolean;
}

const PATH_WORD: Record<PathRowState, string> = {
  seen: 'SEEN',
  broken: 'BROKEN',
  'not-reached': 'NOT-REACHED',
  'not-captured': 'NOT-CAPTURED',
};

/** Free text from checks may hold newlines; a greppable report keeps one record per line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function formatText(untrusted: ResultDocument, opts: TextOptions = {}): string {
  const result = displaySafe(untrusted);
  const out: string[] = [];
  const { protocol, vip, vport } = result.service;
  out.push(`lvs-doctor ${result.verdict.toUpperCase()}: ${oneLine(result.summary)}`);
  out.push(
    `service ${protocol} ${vip}:${vport}  mode ${result.mode}  ${result.mode === 'replay' ? 'recorded' : 'started'} ${result.startedAt}  took ${formatDuration(result.durationMs)}  exit ${EXIT_CODES[result.verdict]}`,
  );

  const roots = rootDiagnoses(result);
  const folded = result.diagnoses.length - roots.length;
  // A host that could not be reached explains every unknown below it: its cause and next step first.
  for (const h of unreachedHosts(result)) {
    out.push(`  cannot reach ${h.name} (${h.role}): ${oneLine(h.reason ?? 'no reason given')}`);
    if (h.hint) out.push(`    next: ${oneLine(h.hint)}`);
  }

  out.push('', `diagnoses: ${roots.length}${folded ? ` (and ${consequenceCount(folded)} folded under their cause)` : ''}`);
  roots.forEach((d, i) => out.push(...diagnosisLines(d, i + 1), ...consequencesOf(result, d).flatMap((c) => consequenceLines(c))));

  if (result.baseline) out.push('', ...baselineLines(result.baseline, result).map(oneLine).map((l, i) => (i === 0 ? l : `  ${l}`)));

  out.push('', 'packet path:');
  out.push(...pathLines(result));

  out.push('', 'checks:');
  for (const question of QUESTIONS) {
    const checks = result.checks.filter((c) => c.question === question);
    if (checks.length === 0) continue;
    out.push(`  ${question}: ${QUESTION_TITLES[question]}`);
    for (const check of checks) out.push(...checkLines(check, opts.verbose === true));
  }

  out.push('', 'hosts:');
  for (const h of result.hosts) {
    const reason = h.reason ? `  (${h.reason})` : '';
    out.push(`  ${h.name}  ${h.role}  access=${h.access}  ${h.status}  probes=${h.probesRun}${reason}`);
  }

  if (result.connectionTable?.length) {
    out.push('', 'connection table:');
    for (const row of result.connectionTable) {
      out.push(`  ${row.realserver}  SYN_RECV=${row.synRecv}  ESTABLISHED=${row.established}  other=${row.other}`);
    }
  }

  out.push('', 'proven:');
  out.push(...(result.proven.length ? result.proven.map((p) => `  + ${p}`) : ['  (nothing)']));
  out.push('', 'unproven:');
  out.push(...(result.unproven.length ? result.unproven.map((p) => `  - ${p}`) : ['  (nothing)']));
  if (result.notes?.length) out.push('', 'notes:', ...result.notes.map((n) => `  * ${n}`));
  return `${out.join('\n')}\n`;
}

function diagnosisLines(d: Diagnosis, n: number): string[] {
  const lines = [
    `  [${n}] ${d.severity.toUpperCase()} ${d.id} on ${d.hosts.join(', ') || '?'}  (check ${d.check}, certainty ${d.certainty})`,
    `      ${oneLine(d.summary)}`,
  ];
  for (const e of uniqueEvidence(d.evidence)) lines.push(...evidenceLines(e, '      '));
  for (const f of d.fixes) lines.push(...fixLines(f, '      '));
  return lines;
}

/** A consequence under its cause: what it is and its proof, no fix of its own. */
function consequenceLines(d: Diagnosis): string[] {
  const lines = [
    `      explains ${d.severity.toUpperCase()} ${d.id} on ${d.hosts.join(', ') || '?'}  (check ${d.check}, certainty ${d.certainty}): no fix of its own`,
    `          ${oneLine(d.summary)}`,
  ];
  for (const e of uniqueEvidence(d.evidence)) lines.push(...evidenceLines(e, '          '));
  return lines;
}


export function evidenceLines(e: Evidence, indent: string): string[] {
  const note = e.note ? `  (${e.note})` : '';
  return [`${indent}evidence ${e.host}$ ${e.command}${note}`, ...e.lines.map((l) => `${indent}  | ${l}`)];
}

function fixLines(f: Fix, indent: string): string[] {
  return [`${indent}fix on ${f.host}: ${f.why}`, ...f.commands.map((c) => `${indent}  ${f.host}# ${c}`)];
}

function checkLines(c: CheckResult, verbose: boolean): string[] {
  const reason = c.reason ? `  (${c.verdict === 'blocked' ? 'blocked by' : 'reason'}: ${c.reason})` : '';
  const fault = c.fault ? ` [${c.fault}${c.explainedBy ? `, explained by ${c.explainedBy}` : ''}]` : '';
  const lines = [`    ${checkWord(c.verdict).padEnd(7)} ${c.id}${fault}  ${oneLine(c.summary)}${reason}`];
  if (verbose) for (const e of uniqueEvidence(c.evidence)) lines.push(...evidenceLines(e, '            '));
  return lines;
}

function pathLines(result: ResultDocument): string[] {
  if (result.hops.length === 0) return ['  (no test connection was judged)'];
  const lines: string[] = [];
  for (const row of packetPathRows(result.hops, result.hosts)) {
    lines.push(`  ${row.index} ${PATH_WORD[row.state].padEnd(12)} ${row.leg.padEnd(26)} ${row.expected}`);
    for (const w of whereLines(row)) lines.push(`      ${w}`);
    for (const i of row.instead) lines.push(`      instead ${i}`);
  }
  return lines;
}
