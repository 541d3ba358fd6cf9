// A client that sent no SYN may have been waiting for the director's MAC: its SYN leaves only
// once ARP resolves its next hop. The director's capture on ext shows the client's requests for
// the director's own address come in; a kernel that answers one answers it in the same pass that
// took it in, so its reply follows the request on that capture. Requests with no reply from the
// director anywhere on it were refused by the director's kernel (strict rp_filter checks an ARP
// request's sender too; arp_filter, arp_ignore and ARP firewall rules can refuse it as well).
import { describePacket, type Packet } from '../model/packet.js';
import { unansweredArpRequests } from './arp-requests.js';
import type { CaptureFacts } from './test-connection-facts.js';

export interface UnansweredArp {
  /** The director's address the client asked for. */
  target: string;
  sender: string;
  host: string;
  iface: string;
  command: string;
  requests: Packet[];
}

/**
 * The client's (`sender`) ARP requests for one of `directorAddresses` that came in on the
 * director's client side with no reply from that address after them there (arp-requests.ts). Null when the capture
 * shows none, shows a reply to each address asked for, or may have missed one (the kernel
 * dropped some of its packets).
 */
export function unansweredArpForDirector(captures: readonly CaptureFacts[], sender: string, directorAddresses: ReadonlySet<string>): UnansweredArp | null {
  for (const cap of captures) {
    if ((cap.place !== 'director-ext' && cap.place !== 'director-one') || cap.packets === null || (cap.dropped ?? 0) > 0) continue;
    const pending = unansweredArpRequests(cap.packets, (p) => p.arp!.senderIp === sender && directorAddresses.has(p.arp!.targetIp!));
    const [first] = pending;
    if (first) return { target: first[0], sender, host: cap.host, iface: cap.iface, command: cap.command, requests: first[1] };
  }
  return null;
}

/** The requests as evidence lines, as the hops' observations show packets. */
export function unansweredArpLines(arp: UnansweredArp): string[] {
  const shown = arp.requests.slice(0, 6).map((p) => `${arp.iface}: ${describePacket(p)}`);
  const more = arp.requests.length > shown.length ? [`(${arp.requests.length - shown.length} more)`] : [];
  return [...shown, ...more, `(no ARP reply from ${arp.target} on ${arp.host} ${arp.iface})`];
}
