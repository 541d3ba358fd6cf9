// ARP requests a capture shows with no reply after them. A kernel answers a request in the same
// pass that took it in, so a reply follows its request on a capture that holds both; a request
// after the last reply from its target is still waiting.
import type { Packet } from '../model/packet.js';

/**
 * The requests `asks` picks, by the address they ask for, that no reply from that address
 * followed, in capture order (the map's order: where each target was first asked since its last
 * reply).
 */
export function unansweredArpRequests(packets: readonly Packet[], asks: (p: Packet) => boolean): Map<string, Packet[]> {
  const pending = new Map<string, Packet[]>();
  for (const p of packets) {
    if (!p.arp) continue;
    const { operation, targetIp, senderIp } = p.arp;
    if (operation === 'request' && targetIp !== null && asks(p)) pending.set(targetIp, [...(pending.get(targetIp) ?? []), p]);
    else if (operation === 'reply' && senderIp !== null) pending.delete(senderIp);
  }
  return pending;
}
