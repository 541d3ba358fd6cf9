// The result document: a public contract read by monitoring (`--json`, schema/result.v1.json).
// Keep these names; add fields freely.
import type { CheckResult, Evidence, Fix, QuestionId } from './check.js';
import type { FaultId } from './faults.js';
import type { Hop } from './hops.js';
import type { BaselineReport } from '../model/baseline.js';

export type OverallVerdict = 'ok' | 'warn' | 'fail' | 'unknown';

export interface Diagnosis {
  id: FaultId;
  severity: 'fail' | 'warn';
  hosts: string[];
  summary: string;
  evidence: Evidence[];
  fixes: Fix[];
  /** The check that named it. */
  check: string;
  certainty: number;
  /**
   * Set when this fault is a consequence of another diagnosis of the same run (its root cause,
   * listed before it): it keeps its evidence and has no fix of its own.
   */
  explainedBy?: FaultId;
}

export interface HostStatus {
  name: string;
  role: 'client' | 'director' | 'realserver';
  access: 'ssh' | 'local' | 'none';
  /** reachable: probes ran; unreachable: TransportError (reason says which); off-limits: not probed by choice. */
  status: 'reachable' | 'unreachable' | 'off-limits' | 'not-linux';
  reason?: string;
  /** For a host that could not be reached: what to do next (--accept-new-host-keys, --jump, ...). */
  hint?: string;
  probesRun: number;
}

/**
 * Why a run stopped before it finished: a signal (Ctrl-C, SIGTERM) or its --deadline. The
 * document then holds what was seen so far and its verdict is unknown.
 */
export interface Interruption {
  by: 'signal' | 'deadline';
  /** by 'signal': which one. */
  signal?: 'SIGINT' | 'SIGTERM';
  /** by 'deadline': the bound that was reached, in seconds. */
  deadlineS?: number;
  /** One sentence, for people. */
  message: string;
}

export interface ResultDocument {
  schemaVersion: 1;
  tool: { name: 'lvs-doctor'; version: string };
  verdict: OverallVerdict;
  /** One line: the first diagnosis, or what a healthy run proved. */
  summary: string;
  startedAt: string;
  durationMs: number;
  /** explain: judged from pasted outputs (`lvs-doctor explain`), see `explain`. */
  mode: 'live' | 'replay' | 'explain';
  service: { protocol: string; vip: string; vport: number };
  diagnoses: Diagnosis[];
  checks: CheckResult[];
  hops: Hop[];
  hosts: HostStatus[];
  /** What a healthy or partial run proved, one sentence each. */
  proven: string[];
  /** What could not be proven (director-only mode, unreachable hosts), one sentence each. */
  unproven: string[];
  /** Worth knowing but no fault, one sentence each (entries of earlier connections still in the director's table). */
  notes?: string[];
  /** Probes that gave no usable answer (transport failure, missing tool, parser refusal, replay miss). */
  probeFailures?: { host: string; command: string; failure: string; message: string }[];
  /** IPVS connection table digest per realserver (for lvs_doctor_syn_recv_ratio), when a table was read. */
  connectionTable?: { realserver: string; synRecv: number; established: number; other: number }[];
  countsByQuestion: Record<QuestionId, Record<string, number>>;
  /** Present when the run stopped early (signal or --deadline): what it has is partial. */
  interrupted?: Interruption;
  /** --trace-drops: per host, whether its kernel's drop reasons were read and the test connection's drops. */
  dropTraces?: { host: string; status: 'traced' | 'unavailable'; message?: string; lost?: number; drops: { reason: string; location: string; dev: string; src: string; dst: string }[] }[];
  /** Present when the run was compared with a healthy one (--baseline, or the site's last ok run): src/baseline/. */
  baseline?: BaselineReport;
  /** `lvs-doctor explain` only: how the paste was split and read. */
  explain?: { parts: ExplainPartSummary[]; notes: string[] };
}

/** One output of a pasted transcript: where it is, what read it, what could not be read. */
export interface ExplainPartSummary {
  index: number;
  /** Line numbers in the paste. */
  firstLine: number;
  lastLine: number;
  /** The command echoed before it (prompt or `watch` header), if any. */
  command: string | null;
  /** The host its prompt names, if any. */
  host: string | null;
  /** The parser that read it, or null. */
  format: string | null;
  detectedBy: 'command' | 'content' | null;
  status: 'read' | 'partly-read' | 'unreadable';
  /** What could not be read, by line of the paste, and why. */
  problems: { line: number; text?: string; reason: string }[];
  /** Which host's evidence it became, or why it was not used. */
  use?: string;
}

export const EXIT_CODES: Record<OverallVerdict, number> = { ok: 0, warn: 1, fail: 2, unknown: 3 };
