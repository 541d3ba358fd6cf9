import type { Check } from '../ids.js';
import { addresses } from '../../src/facts/readers.js';
import { fault, pass, unknown } from '../lib.js';

// 5.17: a client connecting straight to a RIP through the director gets nothing back: the
// director answers the realserver's reply with ICMP port unreachable (nat_icmp_send).
export const directRip: Check = {
  id: 'q3.direct-rip',
  question: 'q3-director',
  title: 'The director does not refuse realservers\' replies to direct connections',
  needs: [],
  probes: [{ role: 'director', probe: 'ip-addr' }],
  evaluate({ topology, facts }) {
    const tc = facts.testConnection;
    if (!tc || tc.error) return unknown('no capture was taken');
    const d = topology.director.name;
    const rips = new Set(topology.realservers.map((r) => r.rip));
    const rsPorts = new Set(topology.realservers.map((r) => `${r.rip}:${r.rport}`));
    // Sent by the director itself, about a realserver's TCP reply from its service port: other
    // ICMP (a traceroute's port unreachable from the client) is not this.
    const directorAddresses = new Set([topology.service.vip, ...[facts.derived.dip, topology.director.dip].filter((a): a is string => Boolean(a)), ...(addresses(facts, d)?.map((a) => a.address) ?? [])]);
    const lines: string[] = [];
    for (const cap of tc.captures) {
      if (cap.host !== d || !cap.packets) continue;
      for (const p of cap.packets) {
        const e = p.icmp?.embedded;
        if (p.icmp?.kind === 'port-unreachable' && p.src !== null && directorAddresses.has(p.src) && p.dst !== null && rips.has(p.dst) && e && e.protocol === 'tcp' && rsPorts.has(`${e.src}:${e.srcPort}`)) {
          lines.push(`${cap.iface}: ${p.src} > ${p.dst} ICMP port unreachable about ${e.src}:${e.srcPort} > ${e.dst}:${e.dstPort}`);
        }
      }
    }
    if (lines.length === 0) {
      // Absence is proof only where the director was captured, whole: a director that could
      // not be reached or captured (or whose kernel dropped packets) proves nothing by silence.
      // A capture taken there is the proof it was reached.
      const own = tc.captures.filter((c) => c.host === d);
      const captured = own.filter((c) => c.packets !== null);
      if (captured.length === 0) {
        const why = facts.hosts.get(d)?.status === 'unreachable' ? `${d} could not be probed${facts.hosts.get(d)?.reason ? ` (${facts.hosts.get(d)?.reason})` : ''}` : own.find((c) => c.error)?.error ?? `no capture was taken on ${d}`;
        return unknown(`whether the director answers realservers' replies with ICMP unreachable is not proven: ${why}`);
      }
      const lossy = captured.find((c) => (c.dropped ?? 0) > 0);
      if (lossy) return unknown(`whether the director answers realservers' replies with ICMP unreachable is not proven: the kernel dropped ${lossy.dropped} packet(s) of the capture on ${lossy.iface}`);
      return pass('the director sent no ICMP unreachable to a realserver');
    }
    return fault({ verdict: 'warn', fault: 'director.direct-rip-unreachable', hosts: [d], summary: 'the director answers realservers\' replies of connections made straight to a RIP with ICMP port unreachable', evidence: [{ host: d, command: 'tcpdump (test connection)', lines }], fixes: [
      { host: d, commands: [], why: 'LVS-NAT cannot serve direct connections to a RIP through the director: reach the RIPs from a network that does not route through the director, or accept the limit (5.17)' },
    ], certainty: 0.7 });
  },
};
