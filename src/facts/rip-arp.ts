// The director asking ARP for a realserver's address, on its int capture. A SYN it balances to a
// RIP whose MAC it does not know waits in that ARP's queue; the kernel asks again a second later
// when no reply came (retrans_time), and after its third unanswered request drops what waits
// with an ICMP host unreachable to the client (mcast_solicit), three seconds after the first.
// A RIP asked twice with no reply in between did not answer for a second: on a LAN an ARP reply
// takes microseconds, so the SYN behind it is not going anywhere, and that is on the wire two
// seconds before the ICMP that says so.
import type { Packet } from '../model/packet.js';
import { unansweredArpRequests } from './arp-requests.js';

export interface PendingRipArp {
  rip: string;
  /** The director's requests for it since its last reply, in capture order. */
  requests: Packet[];
}

/**
 * The RIPs the director asked for and got no reply from after the request, with those requests.
 * Another host's request for a RIP, broadcast, is on int too (seen on the real-IPVS guest): the
 * director's own leaves by it ('out', where the capture says), or comes from its DIP (where the
 * inventory names it); a request that cannot be told apart counts as the director's.
 */
export function pendingRipArp(packets: readonly Packet[], rips: ReadonlySet<string>, dip: string | undefined): PendingRipArp[] {
  const pending = unansweredArpRequests(packets, (p) => rips.has(p.arp!.targetIp!) && asksAsDirector(p, dip));
  return [...pending].map(([rip, requests]) => ({ rip, requests }));
}

/** A request the director sent (see pendingRipArp). */
function asksAsDirector(p: Packet, dip: string | undefined): boolean {
  return p.link.direction !== null ? p.link.direction === 'out' : dip === undefined || p.arp!.senderIp === dip;
}

/**
 * A RIP the director was resolving when the SYN came (its table held no MAC for it as its ping
 * started, and the ping has not been answered: FirstRoundWatch.unresolvedRips) with none of the
 * director's requests for it on `packets` yet. A SYN balanced to it waits in that ARP's queue,
 * and the requests so far went out before the capture listened: nothing on the wire says so
 * until the kernel asks again, a second after its first request.
 */
export function ripArpUnseen(packets: readonly Packet[], unresolved: ReadonlySet<string>, dip: string | undefined): boolean {
  if (unresolved.size === 0) return false;
  const asked = new Set(packets.filter((p) => p.arp?.operation === 'request' && p.arp.targetIp !== null && asksAsDirector(p, dip)).map((p) => p.arp!.targetIp!));
  return [...unresolved].some((rip) => !asked.has(rip));
}

/**
 * None of the RIPs the director is still resolving answered for a second: the kernel asked for
 * each again, or it is one of `pingUnanswered`, the RIPs the director's own ping (Q.1, started
 * with its first probes) got no answer from in its second. That ping waited in the same ARP
 * queue: had the RIP answered its ARP, the entry would hold its MAC for many seconds and the
 * SYN would have gone out at once, so a request for it now is the same resolution still failing
 * (the capture, armed after the ping started, may hold only its later requests).
 */
export function pendingRipsSilentASecond(pending: readonly PendingRipArp[], pingUnanswered: ReadonlySet<string> = new Set()): boolean {
  return pending.length > 0 && pending.every((x) => x.requests.length >= 2 || pingUnanswered.has(x.rip));
}

/** A RIP is still being resolved and one of them may yet answer (see pendingRipsSilentASecond). */
export function ripArpUndecided(packets: readonly Packet[], rips: ReadonlySet<string>, dip: string | undefined, pingUnanswered: ReadonlySet<string> = new Set()): boolean {
  const pending = pendingRipArp(packets, rips, dip);
  return pending.length > 0 && !pendingRipsSilentASecond(pending, pingUnanswered);
}
