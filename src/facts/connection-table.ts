// The director's connection table for the service: `ipvsadm -Lnc` on an IPVS director, or
// `conntrack -L` on a netfilter-NAT director (SYN_SENT [UNREPLIED] towards the RIP is what
// IPVS calls SYN_RECV). SYN_RECV entries with no reply mean replies do not come back
// through the director (5.4, 5.24) — but a table also holds the past: the half-open entries
// of connections that failed before a fix stay until their timeout (IPVS SYN_RECV 60 s,
// conntrack SYN_SENT 120 s). Only the test connection's own entries (its client address AND
// port) speak for the present; the rest is history.
import type { ResultDocument } from '../model/result.js';
import type { RealserverSpec, Topology } from '../model/topology.js';
import type { Facts } from './facts.js';
import { normalizeIp, sameAddress } from '../util/ip.js';

export type ConnectionTableDigest = NonNullable<ResultDocument['connectionTable']>;

export interface TableEntry {
  realserver: RealserverSpec;
  client: string;
  cport: number | null;
  /** As the table writes it: SYN_RECV, ESTABLISHED, TIME_WAIT; conntrack's flags appended (`SYN_SENT UNREPLIED`). */
  state: string;
  /** The client's SYN is in, nothing came back (IPVS SYN_RECV, conntrack SYN_* [UNREPLIED]). */
  halfOpen: boolean;
  established: boolean;
  expiresSeconds: number;
}

export interface ConnectionTable {
  probe: 'ipvsadm-conn' | 'conntrack';
  /** The service's entries, each with the realserver it goes to. */
  entries: TableEntry[];
  /** Picks the raw output lines of the given entries, for evidence. */
  lineOf(entry: TableEntry): (line: string) => boolean;
}

export function readConnectionTable(topology: Topology, facts: Facts): ConnectionTable | undefined {
  const director = topology.director.name;
  const { vip, vport } = topology.service;
  const byRip = (rip: string): RealserverSpec | undefined => topology.realservers.find((r) => sameAddress(r.rip, rip));
  const ipvs = facts.parsed(director, 'ipvsadm-conn');
  if (ipvs?.format === 'ipvsadm-connections') {
    const entries: TableEntry[] = [];
    for (const c of ipvs.connections) {
      const rs = byRip(c.destination.address);
      if (!rs || !sameAddress(c.virtual.address, vip)) continue;
      entries.push({ realserver: rs, client: normalizeIp(c.client.address), cport: typeof c.client.port === 'number' ? c.client.port : null, state: c.state, halfOpen: c.state === 'SYN_RECV', established: c.state === 'ESTABLISHED', expiresSeconds: c.expiresSeconds });
    }
    // `ipvsadm -Lnc` columns: pro expire state client virtual destination.
    const lineOf = (e: TableEntry) => (line: string) => line.split(/\s+/)[3] === `${e.client}:${e.cport}` && line.includes(e.realserver.rip);
    return { probe: 'ipvsadm-conn', entries, lineOf };
  }
  const ct = facts.parsed(director, 'conntrack');
  if (ct) {
    const entries: TableEntry[] = [];
    // A DNATed flow: original tuple to VIP:VPORT, reply tuple from RIP.
    for (const e of ct.entries) {
      const rs = e.reply?.src ? byRip(e.reply.src) : undefined;
      if (!rs || !sameAddress(e.orig.dst, vip) || e.orig.dport !== vport) continue;
      const unreplied = e.flags.some((f) => /UNREPLIED/.test(f));
      const state = [e.state ?? e.protocol, ...e.flags.filter((f) => /UNREPLIED/.test(f))].join(' ');
      entries.push({ realserver: rs, client: normalizeIp(e.orig.src), cport: e.orig.sport, state, halfOpen: unreplied && (e.state === 'SYN_SENT' || e.state === 'SYN_RECV'), established: e.state === 'ESTABLISHED', expiresSeconds: e.timeout });
    }
    const lineOf = (e: TableEntry) => (line: string) => line.includes(`src=${e.client} `) && line.includes(`sport=${e.cport} `) && line.includes(`src=${e.realserver.rip} `);
    return { probe: 'conntrack', entries, lineOf };
  }
  return undefined;
}

/** Per realserver, every entry of the service (the result document's table, read by monitoring). */
export function connectionTableDigest(topology: Topology, facts: Facts): ConnectionTableDigest | undefined {
  const table = readConnectionTable(topology, facts);
  if (!table) return undefined;
  return topology.realservers.map((rs) => {
    const mine = table.entries.filter((e) => e.realserver === rs);
    const synRecv = mine.filter((e) => e.halfOpen).length;
    const established = mine.filter((e) => e.established).length;
    return { realserver: rs.name, synRecv, established, other: mine.length - synRecv - established };
  });
}

/** The entries of this run's test connections (client address and port), and the rest. */
export function splitByTestConnections(table: ConnectionTable, tested: readonly { cip: string; cport: number }[]): { own: TableEntry[]; history: TableEntry[] } {
  const ports = new Set(tested.map((t) => `${t.cip}:${t.cport}`));
  const own = table.entries.filter((e) => ports.has(`${e.client}:${e.cport}`));
  return { own, history: table.entries.filter((e) => !own.includes(e)) };
}

/** The command a table was read with, as notes name it. */
export function tableCommand(probe: ConnectionTable['probe']): string {
  return probe === 'ipvsadm-conn' ? 'ipvsadm -Lnc' : 'conntrack -L';
}

/** One note per realserver with half-open entries of earlier connections: their states and time left. */
export function historyNotes(history: readonly TableEntry[], probe: ConnectionTable['probe']): string[] {
  const source = tableCommand(probe);
  const byRs = new Map<string, TableEntry[]>();
  for (const e of history.filter((h) => h.halfOpen)) byRs.set(e.realserver.name, [...(byRs.get(e.realserver.name) ?? []), e]);
  return [...byRs].map(([rs, entries]) => {
    const left = entries.map((e) => `${e.client}:${e.cport} ${e.state} ${e.expiresSeconds} s left`).join(', ');
    return `${source}: ${entries.length} half-open entr${entries.length === 1 ? 'y' : 'ies'} to ${rs} from earlier connections, not this run's (${left}): history, they expire by themselves`;
  });
}
