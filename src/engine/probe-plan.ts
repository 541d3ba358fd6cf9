// The one probe plan: which probe runs on which host in which phase, from what the checks
// declare (the engine runs it; the benchmark measures it).
import type { RealserverSpec, Topology } from '../model/topology.js';
import { allHosts } from '../model/topology.js';
import type { ProbeCommand } from '../probes/probe.js';
import { connectToolsProbe } from '../probes/test-connection.js';
import { uname } from '../probes/uname.js';
import { deriveParams } from '../facts/derive.js';
import { Facts } from '../facts/facts.js';
import type { CheckDefinition } from './check-definition.js';
import { hostsOfRole } from './evaluate.js';
import { PROBE_CATALOG, type DerivedParams, type ProbeName } from './probe-catalog.js';
import { CONNECT_TOOLS_FACT } from './test-connection.js';

import type { FactName } from '../probes/probe-parsers.js';

export type Phase = 'first' | 'second' | 'after';

export interface ProbeJob {
  host: string;
  /** The catalog's name (what checks ask for), or uname / the connect tools: a PROBE_PARSERS name. */
  name: FactName;
  probe: ProbeCommand;
  /** The realserver a per-realserver probe is about. */
  target?: string;
}

/** A probe the catalog could not build from these values (a validation failure, recorded as a fact). */
export interface InvalidProbe {
  host: string;
  probe: string;
  target?: string;
  message: string;
}

export interface PhasePlan {
  jobs: ProbeJob[];
  invalid: InvalidProbe[];
}

/** The probes that every check asking for them reads only when present. */
export function supplementaryProbes(order: readonly CheckDefinition[]): Set<string> {
  const needs = order.flatMap((c) => c.probes);
  return new Set(needs.filter((n) => n.supplementary && !needs.some((m) => m.probe === n.probe && !m.supplementary)).map((n) => n.probe));
}

/** Which probe each role's hosts need, from what the checks declare. */
export function probesNeeded(topology: Topology, order: readonly CheckDefinition[]): Map<string, Set<ProbeName>> {
  const needed = new Map<string, Set<ProbeName>>();
  for (const check of order) {
    for (const need of check.probes) {
      for (const host of hostsOfRole(topology, need.role)) {
        if (!needed.has(host)) needed.set(host, new Set());
        needed.get(host)!.add(need.probe);
      }
    }
  }
  return needed;
}

/** The phase's probes for every host, built from the catalog; those whose values fail validation apart. */
export function planPhase(topology: Topology, needed: Map<string, Set<ProbeName>>, phase: Phase, derived: DerivedParams, alsoSecond = false): PhasePlan {
  const jobs: ProbeJob[] = [];
  const invalid: InvalidProbe[] = [];
  if (phase === 'first') {
    for (const h of allHosts(topology)) jobs.push({ host: h.name, name: 'uname', probe: uname() });
    // Which tool the test connection will use: asked now, it costs no round trip of its own.
    jobs.push({ host: topology.client.name, name: CONNECT_TOOLS_FACT, probe: connectToolsProbe() });
  }
  for (const host of allHosts(topology)) {
    for (const name of needed.get(host.name) ?? []) {
      const entry = PROBE_CATALOG[name];
      if (entry.phase !== phase && !(alsoSecond && entry.phase === 'second')) continue;
      const targets: (RealserverSpec | undefined)[] = 'perRealserver' in entry && entry.perRealserver ? topology.realservers : [undefined];
      for (const target of targets) {
        let probe: ProbeCommand | null;
        try {
          probe = entry.build({ topology, host, derived, ...(target ? { target } : {}) });
        } catch (err) {
          invalid.push({ host: host.name, probe: name, ...(target ? { target: target.name } : {}), message: (err as Error).message });
          continue;
        }
        if (probe) jobs.push({ host: host.name, name, probe, ...(target ? { target: target.name } : {}) });
      }
    }
  }
  return { jobs, invalid };
}

/**
 * Every probe before the test connection (first and second phases), with what the inventory
 * alone says of CIP and the director's interfaces: the plan a run whose inventory names them
 * sends in its first round.
 */
export function planBeforeConnection(topology: Topology, checks: readonly CheckDefinition[]): ProbeJob[] {
  const fromInventory = deriveParams(topology, new Facts(topology, new Map()));
  return planPhase(topology, probesNeeded(topology, checks), 'first', fromInventory, true).jobs;
}
