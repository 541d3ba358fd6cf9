// --trace-drops beside the test connection's captures: which hosts trace (the director, the
// realservers that are captured, the client), on which interfaces, and what each trace proves
// once read. The traces start and stop with the captures (test-connection.ts).
import type { Topology } from '../model/topology.js';
import type { Facts } from '../facts/facts.js';
import type { DerivedParams } from './probe-catalog.js';
import { DROP_TRACE_ARGV0, dropTraceCommand, traceFailure, type DropTraceSpec } from '../probes/drop-trace.js';
import { parseKfreeSkbTrace } from '../parsers/kfree-skb-trace.js';
import { matchDrops, type DropFlow, type DropHost, type DropTraceFacts } from '../facts/drop-match.js';
import type { RunResult } from '../transport/transport.js';

/** A bundle recorded with --trace-drops (its runs hold the trace script): its replay traces too, to the same evidence. */
export function recordedWithDropTraces(replay: { recordedWith(word: string): boolean }): boolean {
  return replay.recordedWith(DROP_TRACE_ARGV0);
}

export interface PlannedDropTrace {
  spec: DropTraceSpec;
  host: DropHost;
}

/** The interface holding `address` on `host`, from its `ip addr`. */
function ifaceOf(facts: Facts, host: string, address: string | null | undefined): string[] {
  if (!address) return [];
  const found = facts.parsed(host, 'ip-addr')?.addresses.find((a) => a.address === address)?.ifname;
  return found ? [found] : [];
}

export function planDropTraces(input: { topology: Topology; facts: Facts; derived: DerivedParams; traced: (host: string) => boolean; boundMs: number }): PlannedDropTrace[] {
  const { topology, facts, derived, traced, boundMs } = input;
  const plans: PlannedDropTrace[] = [];
  const d = topology.director.name;
  if (traced(d)) {
    const ifaces = [...new Set([derived.ext, derived.int].filter((x): x is string => Boolean(x)))];
    plans.push({ spec: { host: d, ifaces, boundMs }, host: { role: 'director', name: d, inside: derived.int ? [derived.int] : [] } });
  }
  for (const rs of topology.realservers) {
    if (traced(rs.name)) plans.push({ spec: { host: rs.name, ifaces: ifaceOf(facts, rs.name, rs.rip), boundMs }, host: { role: 'realserver', name: rs.name, rip: rs.rip } });
  }
  const c = topology.client.name;
  if (traced(c)) plans.push({ spec: { host: c, ifaces: ifaceOf(facts, c, derived.cip), boundMs }, host: { role: 'client', name: c } });
  return plans;
}

/** What one trace run proves: the test connection's drops on its host, or why it could not say. */
export function readDropTrace(plan: PlannedDropTrace, flow: DropFlow | null, run: { result: RunResult | null; error?: string }): DropTraceFacts {
  const base = { host: plan.spec.host, command: dropTraceCommand(plan.spec) };
  if (!run.result) return { ...base, status: 'unavailable', message: run.error ?? 'the drop trace did not run', drops: [] };
  const text = Buffer.from(run.result.stdout).toString('utf8');
  if (!text.includes('# lvsd-instance ')) return { ...base, status: 'unavailable', message: traceFailure(run.result), drops: [] };
  try {
    const trace = parseKfreeSkbTrace(text);
    const drops = flow ? matchDrops(trace, plan.host, flow) : [];
    return { ...base, status: 'traced', instance: trace.instance, ...(trace.lost > 0 ? { lost: trace.lost } : {}), ...(trace.truncated ? { truncated: true } : {}), drops };
  } catch (err) {
    return { ...base, status: 'unavailable', message: `the trace could not be read: ${(err as Error).message}`, drops: [] };
  }
}
