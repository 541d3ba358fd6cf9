// The verification of an applied fix: the run after it against the run that proved the fault.
// Fixed means the check that named the fault now passes and the fault is no longer diagnosed;
// a diagnosis the first run did not have is a new fault, and the fix is rolled back for it too.
import type { CheckVerdict } from '../model/check.js';
import type { ResultDocument } from '../model/result.js';

export interface Verification {
  verified: boolean;
  check: string;
  before: CheckVerdict | 'absent';
  after: CheckVerdict | 'absent';
  stillDiagnosed: boolean;
  newFaults: string[];
  /** One line: "q3.x: was FAIL, now PASS" or what is wrong. */
  line: string;
}

export function verifyFix(id: string, check: string, before: ResultDocument, after: ResultDocument): Verification {
  const verdictOf = (r: ResultDocument): CheckVerdict | 'absent' => r.checks.find((c) => c.id === check)?.verdict ?? 'absent';
  const was = verdictOf(before);
  const now = verdictOf(after);
  const stillDiagnosed = after.diagnoses.some((d) => d.id === id);
  const known = new Set(before.diagnoses.map((d) => d.id));
  const newFaults = after.diagnoses.map((d) => d.id).filter((x) => !known.has(x));
  const verified = now === 'pass' && !stillDiagnosed && newFaults.length === 0 && !after.interrupted;
  const word = (v: string): string => (v === 'pass' ? 'OK' : v.toUpperCase());
  const transition = `${check}: was ${word(was)}, now ${word(now)}`;
  const why = stillDiagnosed ? `; ${id} is still diagnosed` : now !== 'pass' ? `; the check does not pass` : newFaults.length ? `; new fault: ${newFaults.join(', ')}` : after.interrupted ? `; the run was interrupted` : '';
  return { verified, check, before: was, after: now, stillDiagnosed, newFaults, line: `${transition}${why}` };
}
