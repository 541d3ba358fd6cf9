// Whether the director's IPVS timeout explains a leaked packet: how long its connection was
// silent before the realserver answered (the director's own captures), against the timeout that
// applies (tcp, tcpfin after a FIN, udp) as \`ipvsadm -Ln --timeout\` printed it.
import type { Facts } from '../src/facts/facts.js';
import type { InsteadObservation } from '../src/facts/hop-analysis.js';
import type { Packet } from '../src/model/packet.js';
import type { IpvsadmTimeout } from '../src/parsers/ipvsadm.js';

export interface Silence {
  seconds: number;
  protocol: 'tcp' | 'udp';
  /** A FIN of the connection was seen before: the tcpfin timeout applies. */
  afterFin: boolean;
}

/** Seconds between the leaked packet and the packet of its connection the director saw last before it. */
export function idleBeforeLeak(facts: Facts, director: string, leak: InsteadObservation): Silence | null {
  const p = leak.packet;
  const at = p.time?.seconds;
  const cport = p.tcp?.dstPort ?? p.udp?.dstPort;
  if (at === undefined || cport === undefined || p.dst === null) return null;
  const ofConnection = (q: Packet): boolean => (q.src === p.dst && (q.tcp?.srcPort ?? q.udp?.srcPort) === cport) || (q.dst === p.dst && (q.tcp?.dstPort ?? q.udp?.dstPort) === cport);
  const before = (facts.testConnection?.captures ?? [])
    .filter((c) => c.host === director)
    .flatMap((c) => c.packets ?? [])
    .filter((q) => q.protocol === p.protocol && q.time !== null && q.time.clock === p.time!.clock && q.time.seconds < at && ofConnection(q));
  if (before.length === 0) return null;
  const last = Math.max(...before.map((q) => q.time!.seconds));
  return { seconds: at - last, protocol: p.protocol === 'udp' ? 'udp' : 'tcp', afterFin: before.some((q) => q.tcp?.flags.fin === true) };
}

/** What the director's timeout says of the silence before the leak, when it says something. */
export function timeoutVerdict(t: IpvsadmTimeout, idle: Silence): { evidence: string; advice: string } | null {
  const [name, limit] = idle.protocol === 'udp' ? ['udp', t.udpSeconds] : idle.afterFin ? ['tcpfin', t.tcpFinSeconds] : ['tcp', t.tcpSeconds];
  const silence = `the connection was silent ${idle.seconds.toFixed(1)} s before the realserver answered`;
  const set = `ipvsadm --set TCP TCPFIN UDP (now ${t.tcpSeconds} ${t.tcpFinSeconds} ${t.udpSeconds})`;
  if (idle.seconds >= limit) {
    return {
      evidence: `${silence}: longer than the director's ${name} timeout of ${limit} s, so its entry expired`,
      advice: `raise the director's ${name} timeout above the realservers' longest answer time: ${set}`,
    };
  }
  return null;
}
