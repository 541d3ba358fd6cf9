// The plan, its refusal and its outcome in words, for the text face and the TUI alike. Every
// value shown comes from a host or a diagnosis: escaped before a terminal sees it.
import { shellJoin } from '../transport/quote.js';
import { escapeControls } from '../util/control-chars.js';
import type { ResultDocument } from '../model/result.js';
import type { Ran } from './apply.js';
import type { FixPlan, Planned, SetAside } from './plan.js';

/** A command as it would be typed on the host (argv quoted only where it has to be). */
export function typed(argv: readonly string[]): string {
  return escapeControls(argv.map((a) => (/^[A-Za-z0-9_.:/,=+@%-]+$/.test(a) ? a : shellJoin([a]))).join(' '));
}

function setAsideLines(setAside: readonly SetAside[]): string[] {
  return setAside.map((s) => `  not run on ${escapeControls(s.host)}: ${escapeControls(s.command)}  (${escapeControls(s.why)})`);
}

export function planLines(plan: FixPlan): string[] {
  const lines = [`fix ${plan.id} (proved by ${plan.check}): ${escapeControls(plan.summary)}`];
  plan.steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. on ${escapeControls(s.host)}: ${typed(s.apply)}`);
    lines.push(`     saved for rollback: ${escapeControls(s.rollback.note)}${s.saved.length ? ` (read with: ${s.saved.map((x) => typed(x.argv)).join('; ')})` : ''}`);
    lines.push(`     rollback: ${s.rollback.commands.length ? s.rollback.commands.map(typed).join('; ') : '(nothing to run)'}`);
  });
  return [...lines, ...setAsideLines(plan.setAside)];
}

export function refusalLines(p: Extract<Planned, { ok: false }>): string[] {
  return [`fix ${p.id} refused: ${escapeControls(p.reason)}`, ...setAsideLines(p.setAside)];
}

export function ranLine(prefix: string, r: Ran): string {
  const out = r.output ? `: ${escapeControls(r.output.split('\n').slice(0, 3).join(' | ').slice(0, 300))}` : '';
  return `  ${prefix} on ${escapeControls(r.host)}: ${typed(r.argv)} -> ${r.exitCode === 0 ? 'ok' : `exit ${r.exitCode}`}${out}`;
}

/** How many of the checks that did not pass a refused fix lists. */
const NOT_PASSED_SHOWN = 8;

/**
 * The fault asked for is not diagnosed: what the run found instead, so that the operator (and a
 * failing test's log) sees why without running the diagnosis again.
 */
export function notDiagnosedLines(id: string, before: ResultDocument): string[] {
  const named = before.diagnoses.length ? `; diagnosed: ${before.diagnoses.map((x) => x.id).join(', ')}` : '';
  // A blocked check only follows from one listed here.
  const notPassed = before.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip' && c.verdict !== 'blocked');
  return [
    `${id} is not diagnosed now (verdict ${before.verdict}${named}): nothing applied`,
    ...notPassed.slice(0, NOT_PASSED_SHOWN).map((c) => `  ${c.id} ${c.verdict}: ${escapeControls(c.summary)}`),
    ...(notPassed.length > NOT_PASSED_SHOWN ? [`  and ${notPassed.length - NOT_PASSED_SHOWN} more checks that did not pass`] : []),
  ];
}
