// What a run says about its baseline (`baseline` in the result document, schema/result.v1.json):
// which healthy state it was compared with, how that run ended, and what differs now.
import type { OverallVerdict } from '../model/result.js';
import type { BaselineDifference } from './compare.js';

export type { BaselineDifference };

/** How an earlier run ended: the baseline's own verdict, or the previous run's in the TUI. */
export interface PreviousStatus {
  verdict: OverallVerdict;
  summary: string;
  /** Its root diagnoses. */
  diagnoses: { id: string; hosts: string[] }[];
  /** When it ran (ISO 8601). */
  at: string;
}

export interface BaselineReport {
  /** The version of this object's shape; bumped when a field changes meaning. */
  schemaVersion: 1;
  /** given: --baseline BUNDLE; last-ok: the last ok run of this site kept in the state directory. */
  source: 'given' | 'last-ok';
  path: string;
  recordedAt: string;
  /** Seconds between the baseline's recording and this run's start (null when a date is unreadable). */
  ageSeconds: number | null;
  /** How the baseline run ended, when known. */
  previous: PreviousStatus | null;
  /** Facts read by both runs and compared. */
  compared: number;
  /** Differences left out past the bound (compare.ts MAX_DIFFERENCES). */
  truncated: number;
  differences: BaselineDifference[];
}
