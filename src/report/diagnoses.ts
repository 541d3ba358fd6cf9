// Every face shows root causes as the diagnoses and folds the consequences under the cause
// that explains them (Diagnosis.explainedBy, src/model/consequences.ts).
import type { Diagnosis, ResultDocument } from '../model/result.js';

/** The diagnoses no other one explains, in the result's order (most certain first). */
export function rootDiagnoses(result: Pick<ResultDocument, 'diagnoses'>): Diagnosis[] {
  return result.diagnoses.filter((d) => d.explainedBy === undefined);
}

/** The diagnoses `cause` explains, in the result's order. */
export function consequencesOf(result: Pick<ResultDocument, 'diagnoses'>, cause: Diagnosis): Diagnosis[] {
  return result.diagnoses.filter((d) => d.explainedBy === cause.id);
}

/** "1 consequence" / "2 consequences". */
export function consequenceCount(n: number): string {
  return `${n} consequence${n === 1 ? '' : 's'}`;
}

export { unreachedHosts } from '../model/access-hint.js';
