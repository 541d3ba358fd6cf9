// `--format nagios`: one status line "LVS-DOCTOR STATE - text | perfdata", then the
// diagnoses as long output, and the plugin exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
import { echoValue } from '../util/names.js';
import { QUESTIONS } from '../model/check.js';
import type { CheckVerdict } from '../model/check.js';
import { EXIT_CODES } from '../model/result.js';
import type { ResultDocument } from '../model/result.js';
import { nagiosState } from './verdicts.js';
import { displaySafe } from './untrusted-text.js';
import { consequencesOf, rootDiagnoses } from './diagnoses.js';
import { ageWords, transitionWords } from './baseline-words.js';

/** Perfdata buckets per question, stable so graphs keep their series. */
const BUCKETS = ['pass', 'warn', 'fail', 'unknown'] as const;
const BUCKET_OF: Record<CheckVerdict, (typeof BUCKETS)[number] | null> = {
  pass: 'pass',
  warn: 'warn',
  fail: 'fail',
  unknown: 'unknown',
  blocked: 'unknown',
  error: 'unknown',
  skip: null,
};

/** '|' starts perfdata and a newline ends the status line: neither may appear in the text. */
function plain(text: string): string {
  return text.replace(/\|/g, '/').replace(/\s*\n\s*/g, ' ').trim();
}

/** The one line when no diagnosis ran (usage, bad inventory, internal error): UNKNOWN, exit 3. */
export function formatNagiosFailure(reason: string): { text: string; exitCode: number } {
  return { text: `LVS-DOCTOR UNKNOWN - ${plain(echoValue(plain(reason), 300)) || 'lvs-doctor could not run'}\n`, exitCode: 3 };
}

export function formatNagios(untrusted: ResultDocument): { text: string; exitCode: number } {
  const result = displaySafe(untrusted);
  const state = nagiosState(result.verdict);
  // Root causes only: a consequence (explainedBy) is not another problem to page about.
  const roots = rootDiagnoses(result);
  const first = roots[0];
  let message: string;
  if (first) {
    message = `${first.id} on ${first.hosts.join(',') || '?'}: ${first.summary}`;
    if (roots.length > 1) {
      message += ` (+${roots.length - 1} more: ${roots.slice(1).map((d) => d.id).join(', ')})`;
    }
  } else {
    message = result.summary;
  }
  // The baseline's own status, when known: a check that just turned CRITICAL says it was OK.
  const previous = result.baseline?.previous;
  if (previous) message += ` (${transitionWords(previous, result).split(';')[0]}; baseline ${ageWords(result.baseline?.ageSeconds ?? null)})`;
  const status = `LVS-DOCTOR ${state} - ${plain(message)} | ${perfdata(result, roots.length)}`;
  const long = roots.flatMap((d) => [
    plain(`${d.severity.toUpperCase()} ${d.id} on ${d.hosts.join(',')}: ${d.summary}`),
    ...consequencesOf(result, d).map((c) => `  ${plain(`explains ${c.id} on ${c.hosts.join(',')}: ${c.summary}`)}`),
  ]);
  return { text: `${[status, ...long].join('\n')}\n`, exitCode: EXIT_CODES[result.verdict] };
}

function perfdata(result: ResultDocument, rootCount: number): string {
  const probed = result.hosts.filter((h) => h.status === 'reachable').length;
  const parts = [`duration=${(result.durationMs / 1000).toFixed(3)}s`, `hosts=${probed};;;0;${result.hosts.length}`, `diagnoses=${rootCount};;;0`];
  for (const question of QUESTIONS) {
    const counts: Record<(typeof BUCKETS)[number], number> = { pass: 0, warn: 0, fail: 0, unknown: 0 };
    for (const check of result.checks) {
      const bucket = BUCKET_OF[check.verdict];
      if (check.question === question && bucket) counts[bucket] += 1;
    }
    const label = question.replace(/-/g, '_');
    for (const b of BUCKETS) parts.push(`${label}_${b}=${counts[b]};;;0`);
  }
  return parts.join(' ');
}
