// What a run says about its baseline (`baseline` in the result document, schema/result.v1.json):
// which healthy state it was compared with, how that run ended, and what differs now.
import type { FaultId } from './faults.js';
import type { OverallVerdict } from './result.js';

/** What kind of fact of a host (src/baseline/state-facts.ts). */
export type StateKind = 'route' | 'rule' | 'address' | 'sysctl' | 'ipvs' | 'firewall' | 'listener';

export interface BaselineDifference {
  host: string;
  kind: StateKind;
  key: string;
  /** added/removed: the fact is new or gone (a rule, an address, a service); changed: its value. */
  change: 'added' | 'removed' | 'changed';
  /** The value in the baseline (null when added); '' for a set member. */
  before: string | null;
  /** The value now (null when removed). */
  after: string | null;
  /** Diagnoses of this run on this host that such a change can cause. */
  explains: FaultId[];
}

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
