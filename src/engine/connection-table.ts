// Digest of the director's connection table per realserver: SYN_RECV entries with none
// ESTABLISHED mean replies do not come back through the director (5.4, 5.24). Read from
// `ipvsadm -Lnc` on an IPVS director, or from `conntrack -L` on a netfilter-NAT director
// (SYN_SENT [UNREPLIED] towards the RIP is the same story told by conntrack).
import type { ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import type { IpvsadmConnections } from '../parsers/ipvsadm-connections.js';
import type { Facts } from './facts.js';
import { sameAddress } from '../util/ip.js';
import type { ConntrackResult } from '../parsers/conntrack.js';

export type ConnectionTableDigest = NonNullable<ResultDocument['connectionTable']>;


export function connectionTableDigest(topology: Topology, facts: Facts): ConnectionTableDigest | undefined {
  const director = topology.director.name;
  const { vip, vport } = topology.service;
  const ipvs = facts.parsed<IpvsadmConnections>(director, 'ipvsadm-conn');
  if (ipvs?.format === 'ipvsadm-connections') {
    return topology.realservers.map((rs) => {
      const mine = ipvs.connections.filter((c) => sameAddress(c.destination.address, rs.rip) && sameAddress(c.virtual.address, vip));
      return {
        realserver: rs.name,
        synRecv: mine.filter((c) => c.state === 'SYN_RECV').length,
        established: mine.filter((c) => c.state === 'ESTABLISHED').length,
        other: mine.filter((c) => c.state !== 'SYN_RECV' && c.state !== 'ESTABLISHED').length,
      };
    });
  }
  const ct = facts.parsed<ConntrackResult>(director, 'conntrack');
  if (ct) {
    return topology.realservers.map((rs) => {
      // A DNATed flow: original tuple to VIP:VPORT, reply tuple from RIP.
      const mine = ct.entries.filter((e) => sameAddress(e.orig.dst, vip) && e.orig.dport === vport && sameAddress(e.reply?.src, rs.rip));
      const stalled = mine.filter((e) => (e.state === 'SYN_SENT' || e.state === 'SYN_RECV') && e.flags.some((f) => /UNREPLIED/.test(f)));
      const established = mine.filter((e) => e.state === 'ESTABLISHED');
      return { realserver: rs.name, synRecv: stalled.length, established: established.length, other: mine.length - stalled.length - established.length };
    });
  }
  return undefined;
}
