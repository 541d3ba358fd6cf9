// Everything the probes learned in one run, by host and probe name. Checks read only this,
// which is why the same graph runs over ssh, locally or from a replay bundle.
import type { Evidence } from '../model/check.js';
import type { ProbeOutcome } from '../probes/runner.js';
import type { FactName, ProbeResult } from '../probes/probe-parsers.js';
import type { Topology } from '../model/topology.js';
import type { HostStatus } from '../model/result.js';
import type { TestConnectionFacts } from './test-connection-facts.js';
import type { HopAnalysis } from './hop-analysis.js';

/** Values derived from the first round of probes (the client's address, the director's interfaces). */
export interface DerivedParams {
  cip: string | null;
  ext: string | null;
  int: string | null;
  dip: string | null;
}

/** One type for a probe's outcome, the runner's: src/probes/runner.ts. */
export type { ProbeOutcome };

function factKey(host: string, probe: string, target?: string): string {
  return target ? `${host}\u0000${probe}\u0000${target}` : `${host}\u0000${probe}`;
}

export class Facts {
  private readonly outcomes = new Map<string, ProbeOutcome>();
  testConnection: TestConnectionFacts | null = null;
  hopAnalysis: HopAnalysis | null = null;
  /** CIP, the director's ext/int and DIP, from the inventory or the first probes. */
  derived: DerivedParams = { cip: null, ext: null, int: null, dip: null };
  /**
   * Set by `lvs-doctor explain`: the facts are pasted outputs, one moment of each host, with no
   * test connection. Checks that judge by the test connection judge the snapshot instead, at
   * lower certainty, and say that a snapshot cannot tell the present from the past.
   */
  snapshotOnly = false;

  constructor(
    readonly topology: Topology,
    readonly hosts: Map<string, HostStatus>,
  ) {}

  record(outcome: ProbeOutcome): void {
    this.outcomes.set(factKey(outcome.host, outcome.probe, outcome.target), outcome);
  }

  outcome(host: string, probe: string, target?: string): ProbeOutcome | undefined {
    return this.outcomes.get(factKey(host, probe, target));
  }

  /** The parsed output, typed by the probe's parser (PROBE_PARSERS), or undefined when the probe did not run or failed. */
  parsed<P extends FactName>(host: string, probe: P, target?: string): ProbeResult<P> | undefined {
    const o = this.outcome(host, probe, target);
    // The runner parsed this outcome with the parser the probe names, which PROBE_PARSERS mirrors (test/probes/probe-parsers.test.ts).
    return o?.ok ? (o.parsed as ProbeResult<P>) : undefined;
  }

  /** True when the host answered probes (not off-limits, not unreachable, Linux). */
  probed(host: string): boolean {
    return this.hosts.get(host)?.status === 'reachable';
  }

  all(): ProbeOutcome[] {
    return [...this.outcomes.values()];
  }

  /** Evidence citing a probe's raw output lines (all of them, or those matching `pick`). */
  evidence(host: string, probe: string, pick?: (line: string) => boolean, note?: string, target?: string): Evidence {
    const o = this.outcome(host, probe, target);
    const lines = o?.ok ? o.stdout.split('\n').filter((l) => l.trim() !== '') : [o ? `(${o.message})` : '(not run)'];
    const chosen = pick ? lines.filter(pick) : lines;
    return { host, command: o?.command ?? probe, lines: chosen.slice(0, 12), ...(note ? { note } : {}) };
  }
}
