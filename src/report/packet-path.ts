// The packet path picture (Julian's Q.3 diagram as rows): one row per hop of the test
// connection, the packet as rewritten there, where it was seen, and what came instead.
// Pure data, so the TUI colours it and the text reporter prints it from the same rows.
import type { Endpoint, Hop, HopName, HopObservation } from '../model/hops.js';
import { isIP } from '../util/ip.js';

export type PathRowState = 'seen' | 'broken' | 'not-reached' | 'not-captured';

export interface PathRow {
  index: 1 | 2 | 3 | 4;
  name: HopName;
  /** "client -> director ext" */
  leg: string;
  /** Expected packet, "10.0.0.2:41234 > 10.0.0.10:80". */
  expected: string;
  state: PathRowState;
  /** Places ("director eth0") where the expected packet was seen. */
  seenAt: string[];
  /** Places where it was looked for and not seen. */
  missedAt: string[];
  /** The packet as captured at the first place it was seen. */
  packet?: string;
  /** What was seen instead, each naming its place ("client any: in 10.1.1.11:80 > ..."). */
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
  // Before the table picks a realserver the engine may only know a placeholder, not an address.
  const rip = hops.find((h) => h.name === 'in-rewritten')?.expected.dst.address;
  return rip && isIP(rip) ? rip : 'realserver';
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

/** The engine may already name a place ("client any: ...") in an `instead` line; never say it twice. */
function insteadAt(o: HopObservation, line: string, hostNames: Set<string>): string {
  const named = /^(\S+) \S+: /.exec(line);
  return named && hostNames.has(named[1]) ? line : `${place(o)}: ${line}`;
}

/**
 * The broken hop is the first one looked for and missed somewhere (at every place, or at the
 * next place on its way: a reply seen leaving the realserver but not reaching the director).
 * The last place seen locates the fault (FAULTS.md); later missing hops were never reached.
 */
export function packetPathRows(hops: Hop[], hosts: NamedHost[]): PathRow[] {
  const rs = realserverName(hops, hosts);
  const ordered = [...hops].sort((a, b) => a.index - b.index);
  const hostNames = new Set([...hosts.map((h) => h.name), ...hops.flatMap((h) => h.observations.map((o) => o.host))]);
  let brokenSeen = false;
  const rows = ordered.map((hop): PathRow => {
    const seenAt = hop.observations.filter((o) => o.status === 'seen');
    const missedAt = hop.observations.filter((o) => o.status === 'missing');
    let state: PathRowState;
    if (hop.status === 'not-captured') state = 'not-captured';
    else if (!brokenSeen && (hop.status === 'missing' || missedAt.length > 0)) {
      state = 'broken';
      brokenSeen = true;
    } else state = hop.status === 'seen' ? 'seen' : 'not-reached';
    return {
      index: hop.index,
      name: hop.name,
      leg: legOf(hop.name, rs),
      expected: `${formatEndpoint(hop.expected.src)} > ${formatEndpoint(hop.expected.dst)}`,
      state,
      seenAt: seenAt.map(place),
      missedAt: missedAt.map(place),
      packet: seenAt.find((o) => o.packet)?.packet,
      instead: hop.observations.flatMap((o) => (o.instead ?? []).map((line) => insteadAt(o, line, hostNames))),
      reasons: hop.observations.filter((o) => o.status === 'not-captured' && o.reason).map((o) => `${place(o)}: ${o.reason}`),
    };
  });
  // What came instead belongs to the broken hop, even when a later hop's capture saw it (a
  // reply that skipped the director shows up at the client, under hop 4).
  const broken = rows.find((r) => r.state === 'broken');
  if (broken && broken.instead.length === 0) {
    for (const later of rows.filter((r) => r.index > broken.index && r.state === 'not-reached')) {
      broken.instead.push(...later.instead);
      later.instead = [];
    }
  }
  return rows;
}

/** The lines under a row: where it was seen (with the packet), where it was missed, or why not looked at. */
export function whereLines(row: PathRow): string[] {
  if (row.state === 'not-captured') return [row.reasons.length ? `not captured: ${row.reasons.join('; ')}` : 'not captured'];
  if (row.state === 'not-reached') return ['not reached (an earlier hop is broken)'];
  const lines: string[] = [];
  if (row.seenAt.length) lines.push(`seen on ${row.seenAt.join(', ')}${row.packet ? `: ${row.packet}` : ''}`);
  if (row.missedAt.length || lines.length === 0) lines.push(`NOT seen${row.missedAt.length ? ` on ${row.missedAt.join(', ')}` : ''}`);
  return lines;
}
