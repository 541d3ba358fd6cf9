// One mapping from verdicts to marks and words, shared by every face so that ✗ means the
// same thing in the TUI, the text report and the docs.
import type { CheckVerdict } from '../model/check.js';
import type { OverallVerdict } from '../model/result.js';

const CHECK_MARK: Record<CheckVerdict, string> = {
  pass: '✓',
  warn: '!',
  fail: '✗',
  unknown: '?',
  skip: '-',
  blocked: '~',
  error: 'E',
};

export function checkMark(verdict: CheckVerdict): string {
  return CHECK_MARK[verdict];
}

/** Upper-case word for greppable text: PASS, WARN, FAIL, UNKNOWN, SKIP, BLOCKED, ERROR. */
export function checkWord(verdict: CheckVerdict): string {
  return verdict.toUpperCase();
}

const OVERALL_WORD: Record<OverallVerdict, string> = { ok: 'OK', warn: 'WARNING', fail: 'CRITICAL', unknown: 'UNKNOWN' };

/** The Nagios state name for an overall verdict. */
export function nagiosState(verdict: OverallVerdict): string {
  return OVERALL_WORD[verdict];
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
