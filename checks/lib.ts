// Small helpers every check uses to phrase verdicts; no reasoning lives here.
import type { Evidence, Finding, Fix } from '../src/model/check.js';
import type { FaultId } from '../src/model/faults.js';
import type { Facts } from '../src/facts/facts.js';
import type { ConnectionHops } from '../src/facts/hop-analysis.js';
import { worstConnection } from '../src/facts/hop-analysis.js';

export function pass(summary: string, evidence: Evidence[] = []): Finding {
  return { verdict: 'pass', summary, evidence, fixes: [] };
}

export function skip(summary: string): Finding {
  return { verdict: 'skip', summary, evidence: [], fixes: [] };
}

export function unknown(summary: string, evidence: Evidence[] = []): Finding {
  return { verdict: 'unknown', summary, evidence, fixes: [] };
}

/** What a failing or warning check found: the fault, where, why, and how sure (1 = seen on the wire). */
export interface FaultFinding {
  verdict: 'fail' | 'warn';
  fault: FaultId;
  hosts: string[];
  summary: string;
  evidence: Evidence[];
  fixes: Fix[];
  certainty: number;
}

export function fault({ verdict, fault: id, hosts, summary, evidence, fixes, certainty }: FaultFinding): Finding {
  return { verdict, fault: id, faultHosts: hosts, summary, evidence, fixes, certainty };
}

/** Evidence from the test connection's captures: the lines of what was (not) seen. */
export function wireEvidence(conn: ConnectionHops, note: string): Evidence[] {
  const lines: string[] = [];
  for (const hop of conn.hops) {
    for (const o of hop.observations) {
      if (o.status === 'seen') lines.push(`hop ${hop.index} ${hop.name} seen on ${o.host} ${o.iface}: ${o.packet}`);
      else if (o.status === 'missing') lines.push(`hop ${hop.index} ${hop.name} NOT seen on ${o.host} ${o.iface}`);
      for (const i of o.instead ?? []) lines.push(`  instead: ${i}`);
    }
  }
  return [{ host: 'captures', command: 'tcpdump (test connection)', lines: lines.slice(0, 16), note }];
}

export function testedConnection(facts: Facts): ConnectionHops | null {
  return facts.hopAnalysis ? worstConnection(facts.hopAnalysis) : null;
}

/** The realserver a check is about: the one the worst connection went to, else all. */
export function hopSeenAt(conn: ConnectionHops, index: 1 | 2 | 3 | 4, host?: string): 'seen' | 'missing' | 'not-captured' {
  const hop = conn.hops[index - 1];
  const obs = host ? hop.observations.filter((o) => o.host === host) : hop.observations;
  if (obs.some((o) => o.status === 'seen')) return 'seen';
  if (obs.some((o) => o.status === 'missing')) return 'missing';
  return 'not-captured';
}
