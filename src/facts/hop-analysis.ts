// Judges the test connection against the expected packet sequence (FAULTS.md):
//   1 CIP:CPORT -> VIP:VPORT on director ext     2 CIP:CPORT -> RIP:RPORT on int and the RS
//   3 RIP:RPORT -> CIP:CPORT on the RS and int   4 VIP:VPORT -> CIP:CPORT on ext and the client
// The last hop seen locates the fault; what was seen instead names it.
import type { Hop, HopName, HopObservation } from '../model/hops.js';
import { describePacket, type Packet } from '../model/packet.js';
import type { RealserverSpec, Topology } from '../model/topology.js';
import { pendingRipArp, pendingRipsSilentASecond } from './rip-arp.js';
import type { CaptureFacts, CapturePlace, TestConnectionFacts } from './test-connection-facts.js';

export type InsteadKind =
  | 'rst-from-realserver'
  | 'icmp-from-realserver'
  | 'request-forwarded-on'
  | 'redirect-from-director'
  | 'untranslated-leak'
  | 'icmp-from-director'
  | 'rst-from-director'
  | 'director-cannot-reach-rip'
  | 'reply-bypassed-director';

export interface InsteadObservation {
  kind: InsteadKind;
  host: string;
  iface: string;
  packet: Packet;
  line: string;
}

export interface ConnectionHops {
  cip: string;
  cport: number;
  /** The realserver the director chose (from hop 2), when seen. */
  realserver: RealserverSpec | null;
  hops: Hop[];
  /** 0 when not even hop 1 was seen. */
  lastSeen: number;
  instead: InsteadObservation[];
}

export interface HopAnalysis {
  connections: ConnectionHops[];
  /** SYNs the client sent that the director never saw (client capture only). */
  captures: CaptureFacts[];
}

const HOP_PLACES: Record<HopName, CapturePlace[]> = {
  in: ['director-ext', 'director-one'],
  'in-rewritten': ['director-int', 'director-one', 'realserver'],
  reply: ['realserver', 'director-int', 'director-one'],
  'reply-rewritten': ['director-ext', 'director-one', 'client'],
};

const HOP_ORDER: HopName[] = ['in', 'in-rewritten', 'reply', 'reply-rewritten'];

function isTcp(p: Packet, src: string, sport: number | null, dst: string, dport: number | null): boolean {
  return (
    p.tcp !== null &&
    p.src === src &&
    p.dst === dst &&
    (sport === null || p.tcp.srcPort === sport) &&
    (dport === null || p.tcp.dstPort === dport)
  );
}

function isSyn(p: Packet): boolean {
  return p.tcp !== null && p.tcp.flags.syn && !p.tcp.flags.ack;
}

function isSynAck(p: Packet): boolean {
  return p.tcp !== null && p.tcp.flags.syn && p.tcp.flags.ack;
}

/** Outgoing copies only where the capture tells direction (SLL2); a plain Ethernet capture shows both ways. */
function notIncoming(p: Packet): boolean {
  return p.link.direction === null || p.link.direction === 'out';
}

/** `pingUnanswered`: the RIPs the director's ping got no answer from before the connection (see rip-arp.ts). */
export function analyzeHops(topology: Topology, tc: TestConnectionFacts, pingUnanswered: ReadonlySet<string> = new Set()): HopAnalysis {
  const { vip, vport } = topology.service;
  const captured = tc.captures.filter((c) => c.packets !== null);
  // Connections are identified by the client's SYNs towards the VIP, wherever they were seen.
  const flows = new Map<string, { cip: string; cport: number }>();
  const rips = new Set(topology.realservers.map((r) => `${r.rip}:${r.rport}`));
  const insideAddresses = new Set([...topology.realservers.map((r) => r.rip), ...(topology.director.dip ? [topology.director.dip] : [])]);
  // Without a capture that can see the SYN to the VIP, the rewritten SYN (client -> a known
  // RIP:RPORT) starts the connection: NAT keeps the client's address and port. With one, a SYN
  // straight to a RIP is a direct connection (5.17), not a balanced one.
  const vipVisible = captured.some((c) => c.place === 'client' || c.place === 'director-ext' || c.place === 'director-one');
  for (const cap of captured) {
    for (const p of cap.packets!) {
      if (!vipVisible && p.tcp && isSyn(p) && p.src && !insideAddresses.has(p.src) && typeof p.tcp.srcPort === 'number' && rips.has(`${p.dst}:${p.tcp.dstPort}`)) {
        const key = `${p.src}:${p.tcp.srcPort}`;
        if (!flows.has(key)) flows.set(key, { cip: p.src, cport: p.tcp.srcPort });
        continue;
      }
      if (cap.place === 'realserver') continue;
      // Captures are taken with -n, so ports are numbers; a named port cannot be this flow.
      if (p.tcp && isSyn(p) && p.dst === vip && p.tcp.dstPort === vport && p.src && typeof p.tcp.srcPort === 'number') {
        const key = `${p.src}:${p.tcp.srcPort}`;
        if (!flows.has(key)) flows.set(key, { cip: p.src, cport: p.tcp.srcPort });
      }
    }
  }
  const connections = [...flows.values()].map((f) => judgeConnection(topology, captured, tc.captures, f.cip, f.cport, pingUnanswered));
  return { connections, captures: tc.captures };
}

function judgeConnection(topology: Topology, captured: CaptureFacts[], all: CaptureFacts[], cip: string, cport: number, pingUnanswered: ReadonlySet<string>): ConnectionHops {
  const { vip, vport } = topology.service;
  // Hop 2 tells which realserver was chosen: the rewritten SYN's destination.
  let realserver: RealserverSpec | null = null;
  for (const cap of captured.filter((c) => c.place === 'director-int' || c.place === 'director-one' || c.place === 'realserver')) {
    for (const p of cap.packets!) {
      if (!p.tcp || !isSyn(p) || p.src !== cip || p.tcp.srcPort !== cport) continue;
      const rs = topology.realservers.find((r) => r.rip === p.dst && p.tcp!.dstPort === r.rport);
      if (rs) {
        realserver = rs;
        break;
      }
    }
    if (realserver) break;
  }
  const rip = realserver?.rip ?? null;
  const rport = realserver?.rport ?? null;

  const matchers: Record<HopName, (p: Packet) => boolean> = {
    in: (p) => isSyn(p) && isTcp(p, cip, cport, vip, vport),
    'in-rewritten': (p) => rip !== null && isSyn(p) && isTcp(p, cip, cport, rip, rport),
    reply: (p) => rip !== null && isSynAck(p) && isTcp(p, rip, rport, cip, cport),
    'reply-rewritten': (p) => isSynAck(p) && isTcp(p, vip, vport, cip, cport),
  };
  // The connection's own TCP packets, and ICMP errors about them (a reject answers the SYN).
  const inFlow = (p: Packet): boolean => {
    if (p.tcp) return (p.src === cip && p.tcp.srcPort === cport) || (p.dst === cip && p.tcp.dstPort === cport);
    const e = p.icmp?.embedded;
    return e?.protocol === 'tcp' && ((e.src === cip && e.srcPort === cport) || (e.dst === cip && e.dstPort === cport));
  };
  // tcpdump writes packets in the order it took them in, so a capture stopped with packets
  // unread lacks only its end. A SYN is the connection's first packet: any packet of the
  // connection in the capture shows the capture reached it. A SYN+ACK answers a SYN within
  // moments, long before the client's retransmission a second later: a packet of the
  // connection after its first SYN shows the capture reached past it.
  const reachedPastSyn = (packets: Packet[]): boolean => packets.some(inFlow);
  const reachedPastSynAck = (packets: Packet[]): boolean => {
    const first = packets.findIndex((p) => inFlow(p) && isSyn(p));
    return first >= 0 && packets.slice(first + 1).some(inFlow);
  };
  const reachedPast: Record<HopName, (packets: Packet[]) => boolean> = { in: reachedPastSyn, 'in-rewritten': reachedPastSyn, reply: reachedPastSynAck, 'reply-rewritten': reachedPastSynAck };
  const relevant = (cap: CaptureFacts): boolean => cap.place !== 'realserver' || (realserver !== null && cap.host === realserver.name);

  const hops: Hop[] = HOP_ORDER.map((name, i) => {
    const places = HOP_PLACES[name];
    const observations: HopObservation[] = [];
    for (const cap of all) {
      if (!places.includes(cap.place) || !relevant(cap)) continue;
      if (cap.packets === null) {
        observations.push({ host: cap.host, iface: cap.iface, status: 'not-captured', reason: cap.error ?? 'no capture' });
        continue;
      }
      const hit = cap.packets.find(matchers[name]);
      if (hit) observations.push({ host: cap.host, iface: cap.iface, status: 'seen', packet: describePacket(hit) });
      else if (cap.dropped) {
        observations.push({ host: cap.host, iface: cap.iface, status: 'not-captured', reason: `the kernel dropped ${cap.dropped} packet(s) of this capture (tcpdump fell behind): its absence proves nothing` });
      } else if (cap.unread && !reachedPast[name](cap.packets)) {
        // tcpdump was stopped before it wrote its last packets: this one may be among them.
        observations.push({ host: cap.host, iface: cap.iface, status: 'not-captured', reason: `tcpdump was stopped with ${cap.unread} packet(s) taken in but not written, and nothing later of this connection is in the capture: its absence proves nothing` });
      } else observations.push({ host: cap.host, iface: cap.iface, status: 'missing' });
    }
    // A hop is seen only where every capture that should show it does: hop 3 seen on the
    // realserver but not on the director's int is exactly the broken return path.
    const captured = observations.filter((o) => o.status !== 'not-captured');
    const status = captured.length === 0 ? 'not-captured' : captured.every((o) => o.status === 'seen') ? 'seen' : 'missing';
    const src = name === 'reply' ? { address: rip ?? 'RIP', port: rport } : name === 'reply-rewritten' ? { address: vip, port: vport } : { address: cip, port: cport };
    const dst = name === 'in' ? { address: vip, port: vport } : name === 'in-rewritten' ? { address: rip ?? 'RIP', port: rport } : { address: cip, port: cport };
    return { index: (i + 1) as 1 | 2 | 3 | 4, name, expected: { src, dst }, status, observations };
  });

  const instead = findInstead(topology, captured, cip, cport, realserver, pingUnanswered);
  for (const obs of instead) {
    const hopName: HopName =
      obs.kind === 'redirect-from-director' || obs.kind === 'icmp-from-director' || obs.kind === 'rst-from-director' || obs.kind === 'director-cannot-reach-rip'
        ? 'in-rewritten'
        : obs.kind === 'untranslated-leak' || obs.kind === 'reply-bypassed-director'
          ? 'reply-rewritten'
          : 'reply';
    const hop = hops.find((h) => h.name === hopName)!;
    const target = hop.observations.find((o) => o.host === obs.host && o.iface === obs.iface) ?? hop.observations[0];
    if (target) target.instead = [...(target.instead ?? []), obs.line];
  }
  let lastSeen = 0;
  for (const hop of hops) {
    if (hop.status !== 'seen') break;
    lastSeen = hop.index;
  }
  return { cip, cport, realserver, hops, lastSeen, instead };
}

function findInstead(topology: Topology, captured: CaptureFacts[], cip: string, cport: number, chosen: RealserverSpec | null, pingUnanswered: ReadonlySet<string>): InsteadObservation[] {
  const { vip, vport } = topology.service;
  const rsAddresses = new Set(topology.realservers.map((r) => r.rip));
  const dip = topology.director.dip ?? null;
  const out: InsteadObservation[] = [];
  const add = (kind: InsteadKind, cap: CaptureFacts, p: Packet, note = ''): void => {
    if (out.some((o) => o.kind === kind && o.host === cap.host && o.iface === cap.iface)) return;
    out.push({ kind, host: cap.host, iface: cap.iface, packet: p, line: `${cap.host} ${cap.iface}: ${describePacket(p)}${note}` });
  };
  // The director answering itself (RST or ICMP from the VIP) only when it did not forward the
  // SYN: IPVS rewrites a realserver's own RST to come from VIP:VPORT.
  const forwarded = captured.some(
    (cap) => cap.place !== 'client' && cap.place !== 'director-ext' && cap.packets!.some((p) => p.tcp !== null && isSyn(p) && p.src === cip && p.tcp.srcPort === cport && rsAddresses.has(p.dst ?? '')),
  );
  const aboutFlow = (p: Packet): boolean => {
    const e = p.icmp?.embedded;
    return e !== null && e !== undefined && e.src === cip && e.srcPort === cport;
  };
  const reachedDirector = captured.some((cap) => (cap.place === 'director-ext' || cap.place === 'director-one') && cap.packets!.some((p) => p.tcp !== null && isSyn(p) && p.src === cip && p.tcp.srcPort === cport && p.dst === vip));
  for (const cap of captured) {
    // Taken in and not forwarded, and the director asked ARP for a RIP again with no reply (or
    // once, after its ping to it went unanswered): the SYN waits in that ARP's queue for the ICMP
    // host unreachable the kernel sends when it gives up (rip-arp.ts).
    if (!forwarded && reachedDirector && (cap.place === 'director-int' || cap.place === 'director-one')) {
      const pending = pendingRipArp(cap.packets!, rsAddresses, dip ?? undefined);
      if (pendingRipsSilentASecond(pending, pingUnanswered)) {
        const { rip, requests } = pending[0];
        const [first, last] = [requests[0].time, requests[requests.length - 1].time];
        const over = first && last ? ` over ${(last.seconds - first.seconds).toFixed(1)} s` : '';
        const note = requests.length >= 2 ? `asked ${requests.length} times${over}, no reply from ${rip}` : `no reply from ${rip}, which did not answer the director's ping either`;
        add('director-cannot-reach-rip', cap, requests[0], ` (${note})`);
      }
    }
    for (const p of cap.packets!) {
      const fromRs = p.src !== null && rsAddresses.has(p.src);
      const toClient = p.dst === cip;
      switch (cap.place) {
        case 'realserver':
          if (chosen && cap.host !== chosen.name) break;
          if (p.tcp && fromRs && toClient && p.tcp.dstPort === cport && p.tcp.flags.rst) add('rst-from-realserver', cap, p);
          if (p.icmp && fromRs && toClient && aboutFlow(p) && p.icmp.kind !== 'redirect-host' && p.icmp.kind !== 'redirect-net') add('icmp-from-realserver', cap, p);
          // The realserver routing the request on (RIP missing, forwarding on): the SYN leaves again.
          if (p.tcp && isSyn(p) && p.src === cip && p.tcp.srcPort === cport && p.link.direction === 'out') add('request-forwarded-on', cap, p);
          if (p.icmp && (p.icmp.kind === 'redirect-host' || p.icmp.kind === 'redirect-net') && dip !== null && p.src === dip) add('redirect-from-director', cap, p);
          break;
        case 'director-int':
        case 'director-one':
          if (p.icmp && (p.icmp.kind === 'redirect-host' || p.icmp.kind === 'redirect-net') && p.dst !== null && rsAddresses.has(p.dst)) add('redirect-from-director', cap, p);
          if (p.tcp && fromRs && toClient && p.tcp.dstPort === cport && p.tcp.flags.rst) add('rst-from-realserver', cap, p);
          if (p.icmp && fromRs && toClient && aboutFlow(p) && !p.icmp.kind.startsWith('redirect')) add('icmp-from-realserver', cap, p);
          if (cap.place === 'director-one' && p.tcp && fromRs && toClient && p.tcp.dstPort === cport && notIncoming(p) && p.link.direction === 'out') add('untranslated-leak', cap, p);
          break;
        case 'director-ext':
          if (p.tcp && fromRs && toClient && p.tcp.dstPort === cport && notIncoming(p)) add('untranslated-leak', cap, p);
          // IPVS with every weight 0 answers from the VIP about the VIP; an ICMP error about a
          // RIP means the director balanced the SYN but could not deliver it (no ARP answer).
          // (conntrack un-NATs the quoted header, so it names the VIP either way: the kind tells.)
          if (!forwarded && p.icmp && toClient && aboutFlow(p) && p.icmp.kind === 'port-unreachable' && p.icmp.embedded?.dstPort === vport) add('icmp-from-director', cap, p);
          if (p.icmp && toClient && aboutFlow(p) && (p.icmp.kind === 'host-unreachable' || p.icmp.kind === 'net-unreachable') && p.src !== null && !rsAddresses.has(p.src)) add('director-cannot-reach-rip', cap, p);
          if (!forwarded && p.tcp && p.src === vip && p.tcp.srcPort === vport && toClient && p.tcp.dstPort === cport && p.tcp.flags.rst) add('rst-from-director', cap, p);
          break;
        case 'client':
          if (p.tcp && fromRs && toClient && p.tcp.dstPort === cport) add('reply-bypassed-director', cap, p);
          if (p.icmp && toClient && aboutFlow(p) && p.src === vip && p.icmp.kind === 'port-unreachable' && p.icmp.embedded?.dstPort === vport) add('icmp-from-director', cap, p);
          break;
      }
    }
  }
  return out;
}

/** The connection that shows the fault best: the one that got least far, then the first. */
export function worstConnection(analysis: HopAnalysis): ConnectionHops | null {
  if (analysis.connections.length === 0) return null;
  return [...analysis.connections].sort((a, b) => a.lastSeen - b.lastSeen || b.instead.length - a.instead.length)[0];
}
