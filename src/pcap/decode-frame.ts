// One captured frame -> Packet. Pure and allocation-lean: it runs once per record of a
// capture that may hold millions. A frame cut short by the snaplen decodes as far as its
// bytes go and is marked truncated; frame content never throws.
import {
  emptyLink,
  emptyPacket,
  tcpFlagsFromBits,
  tcpFlagString,
  type EmbeddedPacket,
  type IcmpInfo,
  type IcmpKind,
  type LinkDirection,
  type LinkInfo,
  type Packet,
  type PacketTime,
  type TransportProtocol,
} from '../model/packet.js';
import { bigIntToIpv6 } from '../util/ip.js';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const SUPPORTED_LINK_TYPES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_ETHERNET, 'Ethernet'],
  [LINKTYPE_RAW, 'raw IP'],
  [LINKTYPE_LINUX_SLL, 'Linux cooked (SLL)'],
  [LINKTYPE_IPV4, 'raw IPv4'],
  [LINKTYPE_IPV6, 'raw IPv6'],
  [LINKTYPE_LINUX_SLL2, 'Linux cooked v2 (SLL2)'],
]);

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

const SLL_DIRECTIONS: (LinkDirection | null)[] = ['in', 'broadcast', 'multicast', 'otherhost', 'out'];

function u16(b: Buffer, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Buffer, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function mac(b: Buffer, o: number): string {
  const key = u32(b, o) * 65536 + u16(b, o + 4);
  return remember(macCache, key, () => {
    const h = HEX_PAIRS;
    return `${h[b[o]]}:${h[b[o + 1]]}:${h[b[o + 2]]}:${h[b[o + 3]]}:${h[b[o + 4]]}:${h[b[o + 5]]}`;
  });
}

// A capture names the same few hosts over and over: formatting each address once keeps the
// decoder from drowning in short strings. Bounded, so a scan of many addresses stays flat.
const CACHE_LIMIT = 65536;
const ipv4Cache = new Map<number, string>();
const macCache = new Map<number, string>();
const ipv6Cache = new Map<string, string>();

function remember<K>(cache: Map<K, string>, key: K, make: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    text = make();
    cache.set(key, text);
  }
  return text;
}

function ipv4(b: Buffer, o: number): string {
  return remember(ipv4Cache, u32(b, o), () => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`);
}

function ipv6(b: Buffer, o: number): string {
  const hex = b.toString('hex', o, o + 16);
  return remember(ipv6Cache, hex, () => bigIntToIpv6(BigInt(`0x${hex}`)));
}

// One frozen flags record per flag byte: shared by every packet with those flags.
const TCP_FLAGS = Array.from({ length: 256 }, (_, bits) => Object.freeze(tcpFlagsFromBits(bits)));
const TCP_FLAG_STRINGS = TCP_FLAGS.map((flags) => tcpFlagString(flags));

function blankPacket(index: number, time: PacketTime, link: LinkInfo, wireLength: number): Packet {
  return emptyPacket({ kind: 'pcap-record', index }, time, link, wireLength);
}

export function decodeFrame(linkType: number, frame: Buffer, index: number, time: PacketTime, wireLength: number): Packet {
  const link = emptyLink(linkKind(linkType), linkType);
  const p = blankPacket(index, time, link, wireLength);
  const len = frame.length;
  let offset: number;
  let etherType: number | null;
  if (linkType === LINKTYPE_ETHERNET) {
    if (len < 14) return truncated(p);
    link.dstMac = mac(frame, 0);
    link.srcMac = mac(frame, 6);
    etherType = u16(frame, 12);
    offset = 14;
    while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
      if (len < offset + 4) return truncated(p);
      // The innermost tag is the one that names the frame's VLAN.
      link.vlan = u16(frame, offset) & 0x0fff;
      etherType = u16(frame, offset + 2);
      offset += 4;
    }
  } else if (linkType === LINKTYPE_LINUX_SLL) {
    if (len < 16) return truncated(p);
    link.direction = SLL_DIRECTIONS[u16(frame, 0)] ?? null;
    if (u16(frame, 2) === 1 && u16(frame, 4) === 6) link.srcMac = mac(frame, 6);
    etherType = u16(frame, 14);
    offset = 16;
  } else if (linkType === LINKTYPE_LINUX_SLL2) {
    if (len < 20) return truncated(p);
    etherType = u16(frame, 0);
    link.ifindex = u32(frame, 4);
    link.direction = SLL_DIRECTIONS[frame[10]] ?? null;
    if (u16(frame, 8) === 1 && frame[11] === 6) link.srcMac = mac(frame, 12);
    offset = 20;
  } else {
    if (len < 1) return truncated(p);
    const version = frame[0] >> 4;
    etherType = linkType === LINKTYPE_IPV6 || version === 6 ? ETHERTYPE_IPV6 : version === 4 ? ETHERTYPE_IPV4 : null;
    offset = 0;
  }
  link.etherType = etherType;
  if (etherType === ETHERTYPE_IPV4) decodeIpv4(p, frame, offset);
  else if (etherType === ETHERTYPE_IPV6) decodeIpv6(p, frame, offset);
  else if (etherType === ETHERTYPE_ARP) decodeArp(p, frame, offset);
  return p;
}

function linkKind(linkType: number): LinkInfo['kind'] {
  if (linkType === LINKTYPE_ETHERNET) return 'ethernet';
  if (linkType === LINKTYPE_LINUX_SLL) return 'linux-sll';
  if (linkType === LINKTYPE_LINUX_SLL2) return 'linux-sll2';
  return 'raw';
}

function truncated(p: Packet): Packet {
  p.truncated = true;
  return p;
}

const PROTOCOLS: Record<number, TransportProtocol> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6' };

function decodeIpv4(p: Packet, b: Buffer, o: number): void {
  if (b.length < o + 20) {
    truncated(p);
    return;
  }
  p.ipVersion = 4;
  const headerLength = (b[o] & 0x0f) * 4;
  const totalLength = u16(b, o + 2);
  const fragmentOffset = u16(b, o + 6) & 0x1fff;
  p.src = ipv4(b, o + 12);
  p.dst = ipv4(b, o + 16);
  p.protocol = PROTOCOLS[b[o + 9]] ?? 'other';
  // Later fragments carry no transport header: the protocol is known, its fields are not.
  if (fragmentOffset !== 0) return;
  decodeTransport(p, b, o + headerLength, totalLength - headerLength, 4);
}

const IPV6_EXTENSION_HEADERS = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

function decodeIpv6(p: Packet, b: Buffer, o: number): void {
  if (b.length < o + 40) {
    truncated(p);
    return;
  }
  p.ipVersion = 6;
  p.src = ipv6(b, o + 8);
  p.dst = ipv6(b, o + 24);
  let next = b[o + 6];
  let remaining = u16(b, o + 4);
  let at = o + 40;
  while (IPV6_EXTENSION_HEADERS.has(next) || next === IPV6_FRAGMENT) {
    if (b.length < at + 8) {
      p.protocol = 'other';
      truncated(p);
      return;
    }
    const size = next === IPV6_FRAGMENT ? 8 : (b[at + 1] + 1) * 8;
    const laterFragment = next === IPV6_FRAGMENT && (u16(b, at + 2) & 0xfff8) !== 0;
    next = b[at];
    at += size;
    remaining -= size;
    if (laterFragment) {
      p.protocol = PROTOCOLS[next] ?? 'other';
      return;
    }
  }
  p.protocol = PROTOCOLS[next] ?? 'other';
  decodeTransport(p, b, at, remaining, 6);
}

function decodeTransport(p: Packet, b: Buffer, o: number, length: number, ipVersion: 4 | 6): void {
  const available = b.length - o;
  if (p.protocol === 'tcp') {
    if (available < 20) {
      truncated(p);
      return;
    }
    const headerLength = (b[o + 12] >> 4) * 4;
    const flags = TCP_FLAGS[b[o + 13]];
    p.tcp = {
      srcPort: u16(b, o),
      dstPort: u16(b, o + 2),
      flags,
      flagString: TCP_FLAG_STRINGS[b[o + 13]],
      seq: u32(b, o + 4),
      // The acknowledgment field means nothing without ACK; tcpdump prints it only then.
      ack: flags.ack ? u32(b, o + 8) : null,
      window: u16(b, o + 14),
      payloadLength: Math.max(0, length - headerLength),
    };
  } else if (p.protocol === 'udp') {
    if (available < 8) {
      truncated(p);
      return;
    }
    p.udp = { srcPort: u16(b, o), dstPort: u16(b, o + 2), payloadLength: Math.max(0, u16(b, o + 4) - 8) };
  } else if (p.protocol === 'icmp' || p.protocol === 'icmp6') {
    if (available < 8) {
      truncated(p);
      return;
    }
    p.icmp = ipVersion === 4 ? decodeIcmp4(b, o) : decodeIcmp6(b, o);
  }
}

function icmpBase(type: number, code: number, kind: IcmpKind): IcmpInfo {
  return { type, code, kind, id: null, sequence: null, gateway: null, embedded: null };
}

const ICMP4_UNREACHABLE: Record<number, IcmpKind> = {
  0: 'net-unreachable',
  1: 'host-unreachable',
  2: 'protocol-unreachable',
  3: 'port-unreachable',
  4: 'fragmentation-needed',
  6: 'net-unreachable',
  7: 'host-unreachable',
  9: 'admin-prohibited',
  10: 'admin-prohibited',
  13: 'admin-prohibited',
};

function decodeIcmp4(b: Buffer, o: number): IcmpInfo {
  const type = b[o];
  const code = b[o + 1];
  if (type === 0 || type === 8) {
    const info = icmpBase(type, code, type === 8 ? 'echo-request' : 'echo-reply');
    info.id = u16(b, o + 4);
    info.sequence = u16(b, o + 6);
    return info;
  }
  if (type === 3) return withEmbedded(icmpBase(type, code, ICMP4_UNREACHABLE[code] ?? 'unreachable-other'), b, o + 8);
  if (type === 5) {
    const kind: IcmpKind = code === 0 || code === 2 ? 'redirect-net' : code === 1 || code === 3 ? 'redirect-host' : 'redirect-other';
    const info = icmpBase(type, code, kind);
    info.gateway = ipv4(b, o + 4);
    return withEmbedded(info, b, o + 8);
  }
  if (type === 11) return withEmbedded(icmpBase(type, code, 'time-exceeded'), b, o + 8);
  return icmpBase(type, code, 'other');
}

const ICMP6_UNREACHABLE: Record<number, IcmpKind> = {
  0: 'net-unreachable',
  1: 'admin-prohibited',
  3: 'host-unreachable',
  4: 'port-unreachable',
  5: 'admin-prohibited',
  6: 'net-unreachable',
};

const ICMP6_SIMPLE: Record<number, IcmpKind> = {
  133: 'router-solicitation',
  134: 'router-advertisement',
  135: 'neighbor-solicitation',
  136: 'neighbor-advertisement',
};

function decodeIcmp6(b: Buffer, o: number): IcmpInfo {
  const type = b[o];
  const code = b[o + 1];
  if (type === 128 || type === 129) {
    const info = icmpBase(type, code, type === 128 ? 'echo-request' : 'echo-reply');
    info.id = u16(b, o + 4);
    info.sequence = u16(b, o + 6);
    return info;
  }
  if (type === 1) return withEmbedded(icmpBase(type, code, ICMP6_UNREACHABLE[code] ?? 'unreachable-other'), b, o + 8);
  if (type === 2) return withEmbedded(icmpBase(type, code, 'fragmentation-needed'), b, o + 8);
  if (type === 3) return withEmbedded(icmpBase(type, code, 'time-exceeded'), b, o + 8);
  if (type === 137) {
    // RFC 4861 redirect: target (the better next hop) then destination; the quoted packet sits
    // in an option, but the destination alone already names the flow that was redirected.
    const info = icmpBase(type, code, 'redirect-host');
    if (b.length >= o + 40) {
      info.gateway = ipv6(b, o + 8);
      info.embedded = { src: null, dst: ipv6(b, o + 24), protocol: null, srcPort: null, dstPort: null };
    }
    return info;
  }
  return icmpBase(type, code, ICMP6_SIMPLE[type] ?? 'other');
}

/** Reads the original IP header (and the first 4 bytes past it: the ports) an ICMP error quotes. */
function withEmbedded(info: IcmpInfo, b: Buffer, o: number): IcmpInfo {
  info.embedded = decodeEmbedded(b, o);
  return info;
}

function decodeEmbedded(b: Buffer, o: number): EmbeddedPacket | null {
  if (b.length < o + 1) return null;
  const version = b[o] >> 4;
  let src: string;
  let dst: string;
  let protocolNumber: number;
  let at: number;
  if (version === 4 && b.length >= o + 20) {
    src = ipv4(b, o + 12);
    dst = ipv4(b, o + 16);
    protocolNumber = b[o + 9];
    at = o + (b[o] & 0x0f) * 4;
  } else if (version === 6 && b.length >= o + 40) {
    src = ipv6(b, o + 8);
    dst = ipv6(b, o + 24);
    protocolNumber = b[o + 6];
    at = o + 40;
  } else {
    return null;
  }
  const protocol = PROTOCOLS[protocolNumber] ?? 'other';
  const hasPorts = (protocol === 'tcp' || protocol === 'udp') && b.length >= at + 4;
  return { src, dst, protocol, srcPort: hasPorts ? u16(b, at) : null, dstPort: hasPorts ? u16(b, at + 2) : null };
}

function decodeArp(p: Packet, b: Buffer, o: number): void {
  p.protocol = 'arp';
  if (b.length < o + 28 || u16(b, o + 2) !== ETHERTYPE_IPV4 || b[o + 4] !== 6 || b[o + 5] !== 4) {
    if (b.length < o + 28) truncated(p);
    p.arp = { operation: 'other', senderIp: null, targetIp: null, senderMac: null };
    return;
  }
  const op = u16(b, o + 6);
  p.arp = {
    operation: op === 1 ? 'request' : op === 2 ? 'reply' : 'other',
    senderIp: ipv4(b, o + 14),
    targetIp: ipv4(b, o + 24),
    senderMac: op === 2 ? mac(b, o + 8) : null,
  };
}
