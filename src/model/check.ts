// What a check says about the network: a closed set of verdicts, evidence that cites the
// host, the probe and the raw lines, and fixes filled in with real names.
import type { FaultId } from './faults.js';

export const QUESTIONS = ['setup', 'q1-ping', 'q2-traceroute', 'q3-director', 'q4-realserver'] as const;
export type QuestionId = (typeof QUESTIONS)[number];

export const QUESTION_TITLES: Record<QuestionId, string> = {
  setup: 'Is the director set up for LVS-NAT?',
  'q1-ping': 'Q.1 Can each realserver ping the client from its RIP?',
  'q2-traceroute': "Q.2 Does the realserver's path to the client go through the director?",
  'q3-director': 'Q.3 Does the director forward and rewrite both ways?',
  'q4-realserver': 'Q.4 Does the realserver answer, and by which route?',
};

/** What a check's evaluate may return. */
export type FindingVerdict = 'pass' | 'warn' | 'fail' | 'skip' | 'unknown';
/** What a check ends as: the engine alone adds blocked (a dependency failed) and error (a probe or parser threw). */
export type CheckVerdict = FindingVerdict | 'blocked' | 'error';

export interface Evidence {
  host: string;
  /** The command that produced it, as the user would type it ("ip route get 10.0.0.2 from 10.1.1.11"). */
  command: string;
  /** The raw lines that prove the point (a packet, a route, a sysctl). */
  lines: string[];
  /** Optional one-line reading of the lines. */
  note?: string;
}

/** The same evidence cited by two checks (the host, command, lines and note alike) is kept once. */
export function uniqueEvidence(list: readonly Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = JSON.stringify([e.host, e.command, e.lines, e.note ?? '']);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface Fix {
  host: string;
  commands: string[];
  why: string;
}

export interface Finding {
  verdict: FindingVerdict;
  /** One sentence. For a pass: what was proven. For unknown: what could not be proven and why. */
  summary: string;
  evidence: Evidence[];
  fault?: FaultId;
  /** Hosts the fault is on (defaults to the host of the first evidence). */
  faultHosts?: string[];
  fixes: Fix[];
  /** 0..1; orders diagnoses ("most certain first"). A wire observation is 1, a configuration inference lower. */
  certainty?: number;
  /** Worth knowing, but no verdict rests on it (entries of earlier connections still in a table). */
  notes?: string[];
}

export interface CheckResult extends Omit<Finding, 'verdict'> {
  id: string;
  question: QuestionId;
  title: string;
  verdict: CheckVerdict;
  /** For blocked: the failed dependency; for error/unknown: the probe or parser that failed. */
  reason?: string;
  /** The check that named the root cause this check's fault is a consequence of (its fixes are dropped). */
  explainedBy?: string;
  durationMs: number;
}
