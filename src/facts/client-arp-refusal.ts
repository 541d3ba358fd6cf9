// A client that does not hold the director's MAC sends no SYN: the kernel queues it behind an
// ARP request, broadcast (a client that still holds a MAC it is unsure of sends with it and asks
// by unicast). A director whose strict rp_filter refuses the client's address on ext refuses
// that request too: the kernel checks an ARP request's sender as it checks a packet's source,
// and answers a request it accepts in the same pass that took it in. Nor will it ask for the
// client's MAC on ext itself, which teaches the client its own as a reply would
// (fixtures/bundles-arp/ipvs-director.arp-ignore-late-syns): its route back to the client leaves
// by another interface, which is what rp_filter refused. So once the director's capture,
// closed past such a request (LiveCapture.synced), holds no reply to it, no SYN leaves the
// client until its ARP gives up, three seconds after its first request, and nothing of the
// connections can come before then.
// Other refusals (arp_ignore, arp_filter, ARP firewall rules) leave the director's route to
// the client on ext: its own packets to the client (the realservers' probes it forwards) make
// it ask, and the SYNs then leave late. The wire waits for those as before.
import type { Facts } from './facts.js';
import type { Packet } from '../model/packet.js';
import type { Topology } from '../model/topology.js';
import { unansweredArpRequests } from './arp-requests.js';
import { connectedInterface, interfaceOf, routeGet, strictRpFilterRefuses } from './readers.js';
import type { LiveCapture } from './wire-decision.js';

export interface ClientArpRefusal {
  cip: string;
  /** The director's address the client resolves to reach the VIP (its route's gateway, or the VIP on-link). */
  nexthop: string;
}

/**
 * The director refuses the client's ARP for good, from the run's facts: its strict rp_filter
 * refuses `cip` on `ext` (src/facts/readers.ts strictRpFilterRefuses), the client is on ext's
 * subnet, and its route to the VIP resolves one of the director's addresses. Null when the facts
 * do not show all of it (not read yet, or another setup).
 */
export function clientArpRefusal(facts: Facts, topology: Topology, cip: string | null, ext: string | null): ClientArpRefusal | null {
  const d = topology.director.name;
  if (cip === null || ext === null || !strictRpFilterRefuses(facts, d, ext)) return null;
  if (connectedInterface(facts, d, cip)?.ifname !== ext) return null;
  const route = routeGet(facts, topology.client.name, 'route-get-vip');
  if (!route || route.error !== null) return null;
  const nexthop = route.via ?? topology.service.vip;
  // The VIP local as the address the client asks for is: the kernel's refusal of a packet to
  // the one (a martian source, rp_filter) is its refusal of a request for the other.
  const local = interfaceOf(facts, d, topology.service.vip) !== undefined;
  return local && interfaceOf(facts, d, nexthop)?.ifname === ext ? { cip, nexthop } : null;
}

const broadcast = (p: Packet): boolean => p.link.direction === 'broadcast' || p.link.dstMac === 'ff:ff:ff:ff:ff:ff';

/**
 * No SYN of the service from the client on any capture, and every capture of the director's
 * client side holds, among the packets it was closed past, a broadcast request from the client
 * for `nexthop` that no reply followed.
 */
export function clientHeldByArp(topology: Topology, captures: readonly LiveCapture[], refusal: ClientArpRefusal): boolean {
  const { vip, vport } = topology.service;
  const synSent = (p: Packet): boolean => p.tcp !== null && p.tcp.flags.syn && !p.tcp.flags.ack && p.src === refusal.cip && p.dst === vip && p.tcp.dstPort === vport;
  if (captures.some((c) => c.packets.some(synSent))) return false;
  const ext = captures.filter((c) => c.place === 'director-ext' || c.place === 'director-one');
  return ext.length > 0 && ext.every((c) => {
    if (c.synced === undefined) return false;
    const closed = new Set(c.packets.slice(0, c.synced));
    const pending = unansweredArpRequests(c.packets, (p) => p.arp!.senderIp === refusal.cip && p.arp!.targetIp === refusal.nexthop).get(refusal.nexthop) ?? [];
    return pending.some((p) => closed.has(p) && broadcast(p));
  });
}
