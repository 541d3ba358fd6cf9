// The one packet shape both packet readers return (tcpdump text and pcap), so a check judges
// a hop the same way whatever the capture came as. Fields a source cannot know are null,
// never guessed: tcpdump text without -e has no MACs, a pcap has no line numbers.

/** Where a packet came from: a pcap record (1-based) or a line of tcpdump text (1-based). */
export interface PacketOrigin {
  kind: 'pcap-record' | 'text-line';
  index: number;
}

/**
 * `epoch`: seconds since 1970 (pcap, tcpdump -tt); `date-time`: tcpdump -tttt, read as UTC
 * (tcpdump prints local time); `time-of-day`: tcpdump's default, seconds since midnight,
 * comparable only within one capture.
 */
export type ClockKind = 'epoch' | 'date-time' | 'time-of-day';

export interface PacketTime {
  seconds: number;
  clock: ClockKind;
  /** Exactly as the source had it: "1764290202.592435" (pcap, full resolution) or the text field. */
  raw: string;
}

/** Linux packet types as `tcpdump -i any` prints them (In, B, M, P, Out). */
export type LinkDirection = 'in' | 'broadcast' | 'multicast' | 'otherhost' | 'out';

export type LinkKind = 'ethernet' | 'linux-sll' | 'linux-sll2' | 'raw' | 'text';

export interface LinkInfo {
  kind: LinkKind;
  /** pcap LINKTYPE_ number (1, 113, 276, 101); null for text. */
  linkType: number | null;
  /** Interface name: printed by tcpdump -i any, or mapped from an SLL2 ifindex. */
  interface: string | null;
  /** SLL2 interface index (tcpdump -i any -e prints it too). */
  ifindex: number | null;
  direction: LinkDirection | null;
  /** Lower-case colon form; SLL headers carry only the source address. */
  srcMac: string | null;
  dstMac: string | null;
  /** 802.1Q tag, when one was on the frame. */
  vlan: number | null;
  /** EtherType / SLL protocol of the payload (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP). */
  etherType: number | null;
}

export type TransportProtocol = 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'arp' | 'other';

export interface TcpFlags {
  syn: boolean;
  ack: boolean;
  rst: boolean;
  fin: boolean;
  psh: boolean;
  urg: boolean;
  ece: boolean;
  cwr: boolean;
}

/** A port number; a string only when tcpdump printed a service name (run without -n). */
export type Port = number | string;

export interface TcpInfo {
  srcPort: Port;
  dstPort: Port;
  flags: TcpFlags;
  /** tcpdump's own rendering: "S", "S.", "R.", "P.", "." ("none" when no flag is set). */
  flagString: string;
  /** Sequence number as on the wire (pcap) or as printed (tcpdump text: relative after the SYN). */
  seq: number | null;
  ack: number | null;
  window: number | null;
  payloadLength: number | null;
  /** `tcpdump -q` prints "tcp N" only: the flags are unknown (all false here), not absent. */
  flagsUnknown?: true;
}

/** A VRRP advertisement (keepalived's, tcpdump's "VRRPv2, Advertisement, vrid 51, prio 100, ..."). */
export interface VrrpInfo {
  version: 2 | 3;
  vrid: number;
  priority: number;
  /** "none", "simple", "ah"; null when not printed (VRRPv3). */
  authType: string | null;
  intervalSeconds: number | null;
}

export interface UdpInfo {
  srcPort: Port;
  dstPort: Port;
  /** Payload bytes (UDP length minus its 8-byte header). */
  payloadLength: number | null;
}

export type IcmpKind =
  | 'echo-request'
  | 'echo-reply'
  | 'net-unreachable'
  | 'host-unreachable'
  | 'protocol-unreachable'
  | 'port-unreachable'
  | 'fragmentation-needed'
  | 'admin-prohibited'
  | 'unreachable-other'
  | 'redirect-net'
  | 'redirect-host'
  | 'redirect-other'
  | 'time-exceeded'
  | 'neighbor-solicitation'
  | 'neighbor-advertisement'
  | 'router-solicitation'
  | 'router-advertisement'
  | 'other';

/** The header of the packet an ICMP error quotes: which flow the error is about. */
export interface EmbeddedPacket {
  src: string | null;
  dst: string;
  protocol: TransportProtocol | null;
  srcPort: Port | null;
  dstPort: Port | null;
}

export interface IcmpInfo {
  /** Numeric type/code; null where only tcpdump's words were seen. */
  type: number | null;
  code: number | null;
  kind: IcmpKind;
  /** Echo identifier and sequence. */
  id: number | null;
  sequence: number | null;
  /** A redirect's new next hop. */
  gateway: string | null;
  embedded: EmbeddedPacket | null;
}

export interface ArpInfo {
  operation: 'request' | 'reply' | 'other';
  senderIp: string | null;
  targetIp: string | null;
  /** Request: null; reply: the answered MAC. */
  senderMac: string | null;
}

export interface Packet {
  origin: PacketOrigin;
  time: PacketTime | null;
  link: LinkInfo;
  ipVersion: 4 | 6 | null;
  /** Canonical text (IPv6 compressed); a host name only when tcpdump ran without -n. */
  src: string | null;
  dst: string | null;
  protocol: TransportProtocol;
  /** On-the-wire length (pcap: original length; text: the -e "length N" when printed). */
  wireLength: number | null;
  tcp: TcpInfo | null;
  udp: UdpInfo | null;
  icmp: IcmpInfo | null;
  arp: ArpInfo | null;
  /** Only on VRRP advertisements (protocol 'other'). */
  vrrp?: VrrpInfo;
  /** Set when the capture cut the packet before the headers read (snaplen, tcpdump's [|tcp]). */
  truncated: boolean;
}

const FLAG_LETTERS: [keyof TcpFlags, string][] = [
  ['fin', 'F'],
  ['syn', 'S'],
  ['rst', 'R'],
  ['psh', 'P'],
  ['urg', 'U'],
  ['ece', 'E'],
  ['cwr', 'W'],
];

/** tcpdump 4.x's flag string for a set of flags (print-tcp.c order, '.' for ACK). */
export function tcpFlagString(flags: TcpFlags): string {
  const text = FLAG_LETTERS.filter(([name]) => flags[name]).map(([, letter]) => letter).join('') + (flags.ack ? '.' : '');
  return text === '' ? 'none' : text;
}

export function tcpFlagsFromBits(bits: number): TcpFlags {
  return {
    fin: (bits & 0x01) !== 0,
    syn: (bits & 0x02) !== 0,
    rst: (bits & 0x04) !== 0,
    psh: (bits & 0x08) !== 0,
    ack: (bits & 0x10) !== 0,
    urg: (bits & 0x20) !== 0,
    ece: (bits & 0x40) !== 0,
    cwr: (bits & 0x80) !== 0,
  };
}

/** The ports of a packet's transport header, when it has one. */
export function packetPorts(p: Packet): { srcPort: Port; dstPort: Port } | null {
  return p.tcp ?? p.udp ?? null;
}

function endpoint(address: string | null, port: Port | null): string {
  const a = address ?? '?';
  if (port === null) return a;
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

/** A short tcpdump-like line for evidence: "lan0 In 10.1.1.2:33333 > 10.1.1.11:80 TCP [S.] seq 1 ack 2". */
export function describePacket(p: Packet): string {
  const where = [p.link.interface, p.link.direction].filter((x) => x !== null).join(' ');
  // ARP carries no IP header: its addresses are in its own words, as tcpdump prints them.
  if (p.arp) return [where, describeArp(p.arp)].filter((x) => x !== '').join(' ');
  const ports = packetPorts(p);
  const head = `${endpoint(p.src, ports?.srcPort ?? null)} > ${endpoint(p.dst, ports?.dstPort ?? null)}`;
  const body = describeTransport(p);
  return [where, head, body].filter((x) => x !== '').join(' ');
}

function describeTransport(p: Packet): string {
  if (p.tcp) {
    const t = p.tcp;
    const parts = [`TCP [${t.flagString}]`];
    if (t.seq !== null) parts.push(`seq ${t.seq}`);
    if (t.ack !== null && t.flags.ack) parts.push(`ack ${t.ack}`);
    return parts.join(' ');
  }
  if (p.udp) return `UDP length ${p.udp.payloadLength ?? '?'}`;
  if (p.icmp) {
    const i = p.icmp;
    const parts = [`${p.protocol === 'icmp6' ? 'ICMP6' : 'ICMP'} ${i.kind}`];
    if (i.gateway !== null) parts.push(`new next hop ${i.gateway}`);
    if (i.embedded) {
      const e = i.embedded;
      parts.push(`about ${e.protocol ?? '?'} ${endpoint(e.src, e.srcPort)} > ${endpoint(e.dst, e.dstPort)}`);
    }
    return parts.join(' ');
  }
  return p.protocol.toUpperCase();
}

function describeArp(a: ArpInfo): string {
  if (a.operation === 'request') return `ARP, Request who-has ${a.targetIp ?? '?'} tell ${a.senderIp ?? '?'}`;
  if (a.operation === 'reply') return `ARP, Reply ${a.senderIp ?? '?'} is-at ${a.senderMac ?? '?'}`;
  return 'ARP';
}

/** The empty link record a reader starts from. */
export function emptyLink(kind: LinkKind, linkType: number | null): LinkInfo {
  return { kind, linkType, interface: null, ifindex: null, direction: null, srcMac: null, dstMac: null, vlan: null, etherType: null };
}

/** A packet with nothing decoded yet: the readers fill in what their source shows. */
export function emptyPacket(origin: PacketOrigin, time: PacketTime | null, link: LinkInfo, wireLength: number | null): Packet {
  return {
    origin,
    time,
    link,
    ipVersion: null,
    src: null,
    dst: null,
    protocol: 'other',
    wireLength,
    tcp: null,
    udp: null,
    icmp: null,
    arp: null,
    truncated: false,
  };
}
