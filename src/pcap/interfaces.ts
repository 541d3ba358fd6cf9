// An SLL2 capture (`tcpdump -i any -w`) records each packet's interface by index only; the
// names come from the capturing host's own `ip -o link`, taken at the same time.
import type { Packet } from '../model/packet.js';

/** The shape of the `ip-link` parser's result (src/parsers/ip-link.ts), read structurally. */
export interface IpLinkListing {
  links: readonly { ifindex: number; ifname: string }[];
}

/**
 * ifindex -> interface name: a map, a parsed `ip -o link` listing, or its raw text, all from
 * the host that captured.
 */
export type InterfaceNames = ReadonlyMap<number, string> | Readonly<Record<number, string>> | IpLinkListing | string;

// "3: srv0@if2: <BROADCAST,..." -> 3, srv0 (the "@peer" suffix is not part of the name).
const IP_O_LINK_LINE = /^(\d+):\s+([^\s:@]+)(?:@[^\s:]+)?:?\s/;

/** Reads ifindex -> name from `ip -o link` text. Lines that are not interface lines are ignored. */
export function interfaceIndexesFromIpLink(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = IP_O_LINK_LINE.exec(line);
    if (m) names.set(Number(m[1]), m[2]);
  }
  return names;
}

export function nameInterfaces(source: InterfaceNames): ReadonlyMap<number, string> {
  if (typeof source === 'string') return interfaceIndexesFromIpLink(source);
  if (source instanceof Map) return source;
  if (isListing(source)) return new Map(source.links.map((l) => [l.ifindex, l.ifname]));
  return new Map(Object.entries(source).map(([k, v]) => [Number(k), v]));
}

/** Copies of `packets` whose SLL2 interface index is named; packets with no index are unchanged. */
export function mapInterfaceIndexes(packets: readonly Packet[], source: InterfaceNames): Packet[] {
  const names = nameInterfaces(source);
  return packets.map((p) =>
    p.link.ifindex === null ? p : { ...p, link: { ...p.link, interface: names.get(p.link.ifindex) ?? p.link.interface } },
  );
}

function isListing(source: object): source is IpLinkListing {
  return Array.isArray((source as { links?: unknown }).links);
}
