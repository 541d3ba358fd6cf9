// The packet path picture (Julian's Q.3 diagram as rows): one row per hop of the test
// connection, the packet as rewritten there, where it was seen, and what came instead.
// Pure data, so the TUI colours it and the text reporter prints it from the same rows.
import type { Endpoint, Hop, HopName, HopObservation } from '../model/hops.js';

export type PathRowState = 'seen' | 'broken' | 'not-reached' | 'not-captured';

export interface PathRow {
  index: 1 | 2 | 3 | 4;
  name: HopName;
  /** "client -> director ext" */
  leg: string;
  /** Expected packet, "10.0.0.2:41234 > 10.0.0.10:80". */
  expected: string;
  state: PathRowState;
  /** Where it was seen ("director eth0"), or where it was looked for and missed. */
  where: string[];
  /** The packet as captured at the first place it was seen. */
  packet?: string;
  /** What was seen instead, each prefixed with the place ("rs1 eth0: ..."). */
  instead: string[];
  /** Why it could not be captured (off-limits, capture failed). */
  reasons: string[];
}

export function formatEndpoint(e: Endpoint): string {
  const address = e.address.includes(':') ? `[${e.address}]` : e.address;
  return e.port === null ? address : `${address}:${e.port}`;
}

const PATH_MARK: Record<PathRowState, string> = { seen: '✓', broken: '✗', 'not-reached': '·', 'not-captured': '?' };

export function pathMark(state: PathRowState): string {
  return PATH_MARK[state];
}

/** Enough of a host to tell its role (HostStatus and run-start hosts both fit). */
export interface NamedHost {
  name: string;
  role: string;
}

export function realserverName(hops: Hop[], hosts: NamedHost[]): string {
  const realservers = new Set(hosts.filter((h) => h.role === 'realserver').map((h) => h.name));
  for (const hop of hops) {
    for (const o of hop.observations) if (realservers.has(o.host)) return o.host;
  }
  const rewritten = hops.find((h) => h.name === 'in-rewritten');
  return rewritten ? formatEndpoint({ address: rewritten.expected.dst.address, port: null }) : 'realserver';
}

function legOf(name: HopName, rs: string): string {
  switch (name) {
    case 'in':
      return 'client -> director ext';
    case 'in-rewritten':
      return `director int -> ${rs}`;
    case 'reply':
      return `${rs} -> director int`;
    case 'reply-rewritten':
      return 'director ext -> client';
  }
}

const place = (o: HopObservation): string => `${o.host} ${o.iface}`;

/**
 * The broken hop is the first one that was looked for and not seen: the last hop seen
 * locates the fault (FAULTS.md). Later missing hops were simply never reached.
 */
export function packetPathRows(hops: Hop[], hosts: NamedHost[]): PathRow[] {
  const rs = realserverName(hops, hosts);
  const ordered = [...hops].sort((a, b) => a.index - b.index);
  let brokenSeen = false;
  return ordered.map((hop) => {
    const seenAt = hop.observations.filter((o) => o.status === 'seen');
    const missedAt = hop.observations.filter((o) => o.status === 'missing');
    const instead = hop.observations.flatMap((o) => (o.instead ?? []).map((line) => `${place(o)}: ${line}`));
    const reasons = hop.observations.filter((o) => o.status === 'not-captured' && o.reason).map((o) => `${place(o)}: ${o.reason}`);
    let state: PathRowState;
    if (hop.status === 'seen') state = 'seen';
    else if (hop.status === 'not-captured') state = 'not-captured';
    else if (brokenSeen) state = 'not-reached';
    else {
      state = 'broken';
      brokenSeen = true;
    }
    return {
      index: hop.index,
      name: hop.name,
      leg: legOf(hop.name, rs),
      expected: `${formatEndpoint(hop.expected.src)} > ${formatEndpoint(hop.expected.dst)}`,
      state,
      where: (hop.status === 'seen' ? seenAt : missedAt).map(place),
      packet: seenAt.find((o) => o.packet)?.packet,
      instead,
      reasons,
    };
  });
}

/** One line under the row saying where: "seen on director eth0", "NOT seen on director eth1". */
export function whereLine(row: PathRow): string {
  switch (row.state) {
    case 'seen':
      return row.where.length ? `seen on ${row.where.join(', ')}` : 'seen';
    case 'broken':
      return row.where.length ? `NOT seen on ${row.where.join(', ')}` : 'NOT seen';
    case 'not-reached':
      return 'not reached (an earlier hop is broken)';
    case 'not-captured':
      return row.reasons.length ? `not captured: ${row.reasons.join('; ')}` : 'not captured';
  }
}
