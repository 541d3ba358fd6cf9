// tcpdump's text output (4.x `Flags [S.], seq ...` and 3.x `S 1:1(0) ack ...`), with -e, -i any,
// the timestamp styles and the banners tcpdump prints on stderr. A packet line that is not
// understood whole (wrapped -v output, a line cut short, an unknown decoder) is kept in
// `unparsed`, never guessed at: a half-read packet would make a check judge the wrong hop.
import {
  emptyLink,
  emptyPacket,
  tcpFlagString,
  type ArpInfo,
  type EmbeddedPacket,
  type IcmpInfo,
  type IcmpKind,
  type LinkDirection,
  type LinkInfo,
  type Packet,
  type PacketTime,
  type Port,
  type TcpFlags,
  type TransportProtocol,
  type VrrpInfo,
} from '../model/packet.js';
import { canonicalIp, isIPv4, isIPv6 } from '../util/ip.js';
import { numberedLines, type NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import type { TextParser } from '../model/parser.js';

export interface TcpdumpCaptureInfo {
  /** From "listening on IF, link-type ..." or "reading from file F, link-type ...". */
  interface: string | null;
  file: string | null;
  linkType: string | null;
  snaplen: number | null;
  captured: number | null;
  receivedByFilter: number | null;
  droppedByKernel: number | null;
  droppedByInterface: number | null;
}

export interface TcpdumpText {
  format: 'tcpdump';
  packets: Packet[];
  /** Lines that look like neither a packet tcpdump printed whole nor one of its banners. */
  unparsed: { line: number; text: string }[];
  /** tcpdump's own messages ("tcpdump: ..."), kept for evidence. */
  messages: { line: number; text: string }[];
  capture: TcpdumpCaptureInfo;
}

// ---- timestamps -------------------------------------------------------------------------

const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?) /;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}(?:\.\d+)?) /;
const EPOCH = /^(\d{9,}\.\d+) /;

function takeTime(rest: string): { time: PacketTime | null; rest: string } {
  let m = DATE_TIME.exec(rest);
  if (m) {
    const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
    const seconds = Date.UTC(y, mo - 1, d, h, mi, 0) / 1000 + Number(m[6]);
    return { time: { seconds, clock: 'date-time', raw: m[0].trimEnd() }, rest: rest.slice(m[0].length) };
  }
  m = EPOCH.exec(rest);
  if (m) return { time: { seconds: Number(m[1]), clock: 'epoch', raw: m[1] }, rest: rest.slice(m[0].length) };
  m = TIME_OF_DAY.exec(rest);
  if (m) {
    const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    return { time: { seconds, clock: 'time-of-day', raw: m[0].trimEnd() }, rest: rest.slice(m[0].length) };
  }
  return { time: null, rest };
}

// ---- link level (-i any, -e) ------------------------------------------------------------

const DIRECTIONS: Record<string, LinkDirection> = { In: 'in', Out: 'out', B: 'broadcast', M: 'multicast', P: 'otherhost' };
const ANY_PREFIX = /^(\S+) +(In|Out|B|M|P) +/;
// Linux 2.2-era tcpdump named the interface and the direction before the addresses:
// `eth1 < 64.70.12.210.35131 > 205.254.211.17.25: tcp 0 (DF)`. The lookahead wants the
// `SRC > DST:` that must follow, so an ordinary `host.port > host.port: ...` is never read so.
const OLD_DIRECTION_PREFIX = /^([A-Za-z][A-Za-z0-9_.:-]*) ([<>]) (?=\S+ > \S+?: )/;
const MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
// Without -n, -e names each address's vendor: `00:00:0c:12:34:56 (oui Cisco)`.
const OUI = '(?: \\(oui [^()]+\\))?';
const ETHER_E = new RegExp(`^(${MAC})${OUI} > (${MAC}|Broadcast)${OUI}, ethertype (\\S+) \\(0x([0-9a-f]{4})\\), length (\\d+): `);
const SLL2_E = new RegExp(`^ifindex (\\d+) (${MAC}) ethertype (\\S+) \\(0x([0-9a-f]{4})\\), length (\\d+): `);
const VLAN_E = /^vlan (\d+), p \d+, ethertype (\S+) \(0x([0-9a-f]{4})\), /;

interface LinkRead {
  link: LinkInfo;
  wireLength: number | null;
  /** 'ip' / 'ip6' / 'arp' when the link part said so; null when the body must say it. */
  network: 'ip' | 'ip6' | 'arp' | 'other' | null;
  rest: string;
}

function networkOf(etherType: number): LinkRead['network'] {
  if (etherType === 0x0800) return 'ip';
  if (etherType === 0x86dd) return 'ip6';
  if (etherType === 0x0806) return 'arp';
  return 'other';
}

function takeLink(rest: string): LinkRead {
  const link = emptyLink('text', null);
  let wireLength: number | null = null;
  let network: LinkRead['network'] = null;
  const old = OLD_DIRECTION_PREFIX.exec(rest);
  if (old) {
    link.interface = old[1];
    link.direction = old[2] === '<' ? 'in' : 'out';
    return { link, wireLength, network, rest: rest.slice(old[0].length) };
  }
  let m = ANY_PREFIX.exec(rest);
  if (m) {
    link.interface = m[1];
    link.direction = DIRECTIONS[m[2]];
    rest = rest.slice(m[0].length);
    m = SLL2_E.exec(rest);
    if (m) {
      link.ifindex = Number(m[1]);
      link.srcMac = m[2];
      link.etherType = parseInt(m[4], 16);
      wireLength = Number(m[5]);
      network = networkOf(link.etherType);
      rest = rest.slice(m[0].length);
    }
    return { link, wireLength, network, rest };
  }
  m = ETHER_E.exec(rest);
  if (m) {
    link.srcMac = m[1];
    link.dstMac = m[2] === 'Broadcast' ? 'ff:ff:ff:ff:ff:ff' : m[2];
    link.etherType = parseInt(m[4], 16);
    wireLength = Number(m[5]);
    rest = rest.slice(m[0].length);
    const v = VLAN_E.exec(rest);
    if (link.etherType === 0x8100 && v) {
      link.vlan = Number(v[1]);
      link.etherType = parseInt(v[3], 16);
      rest = rest.slice(v[0].length);
    }
    network = networkOf(link.etherType);
  }
  return { link, wireLength, network, rest };
}

// ---- addresses --------------------------------------------------------------------------

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function parseAddress(text: string): string | null {
  if (isIPv4(text) || isIPv6(text)) return canonicalIp(text);
  if (/^[\d.]+$/.test(text)) return null; // a numeric IPv4 that is not one: cut or mangled
  return NAME.test(text) ? text : null;
}

function parsePort(text: string): Port | null {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : null;
  }
  return /^[a-z][a-z0-9-]*$/i.test(text) ? text : null;
}

/** "10.1.1.2.33333" / "fd00::2.80" / "client.telnet" -> address and port. */
function parseEndpoint(text: string): { address: string; port: Port } | null {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return null;
  const address = parseAddress(text.slice(0, dot));
  const port = parsePort(text.slice(dot + 1));
  if (address === null || port === null) return null;
  // "10.1.1.2" alone would split into "10.1.1" + 2: a numeric IPv4 needs all four octets.
  if (/^[\d.]+$/.test(text.slice(0, dot)) && !isIPv4(text.slice(0, dot))) return null;
  return { address, port };
}

// ---- transport bodies -------------------------------------------------------------------

function blankFlags(): TcpFlags {
  return { syn: false, ack: false, rst: false, fin: false, psh: false, urg: false, ece: false, cwr: false };
}

const FLAG_BY_LETTER: Record<string, keyof TcpFlags> = { S: 'syn', F: 'fin', R: 'rst', P: 'psh', U: 'urg', E: 'ece', W: 'cwr', '.': 'ack' };

function flagsFromLetters(letters: string): TcpFlags | null {
  const flags = blankFlags();
  if (letters === 'none') return flags;
  for (const letter of letters) {
    const name = FLAG_BY_LETTER[letter];
    if (!name) return null;
    flags[name] = true;
  }
  return flags;
}

interface TcpFields {
  flags: TcpFlags;
  flagString: string;
  seq: number | null;
  ack: number | null;
  window: number | null;
  payloadLength: number | null;
  truncated: boolean;
}

// 4.x: "Flags [S.], seq 1:5, ack 2, win 3, options [...], length 4[: app data]"
const TCP4 = /^Flags \[([A-Za-z.]+)\](?:, seq (\d+)(?::(\d+))?)?(?:, ack (\d+))?(?:, win (\d+))?(?:, urg \d+)?(?:, options \[[^\]]*\])?, length (\d+)(?:$|[: ,])/;
// 3.x: "S 354934654:354934654(0) ack 1183118745 win 32120 <mss 1460,...>"; ". ack 1 win 100"
const TCP3 = /^([SFPRUWE]+|\.) (?:(\d+):(\d+)\((\d+)\) )?(?:ack (\d+) )?win (\d+)(?: urg \d+)?(?: <[^>]*>)?(?: \(DF\))?(?: \[tos 0x[0-9a-f]+\])?$/;

function parseTcpBody(body: string): TcpFields | null {
  let m = TCP4.exec(body);
  if (m) {
    const flags = flagsFromLetters(m[1]);
    if (!flags) return null;
    return {
      flags,
      flagString: m[1],
      seq: m[2] === undefined ? null : Number(m[2]),
      ack: m[4] === undefined ? null : Number(m[4]),
      window: m[5] === undefined ? null : Number(m[5]),
      payloadLength: Number(m[6]),
      truncated: false,
    };
  }
  m = TCP3.exec(body);
  if (m) {
    const flags = flagsFromLetters(m[1] === '.' ? '' : m[1]);
    if (!flags) return null;
    // In 3.x the ACK flag is not a letter: "ack N" is printed exactly when it is set.
    flags.ack = m[5] !== undefined;
    return {
      flags,
      flagString: tcpFlagString(flags),
      seq: m[2] === undefined ? null : Number(m[2]),
      ack: m[5] === undefined ? null : Number(m[5]),
      window: Number(m[6]),
      payloadLength: m[4] === undefined ? null : Number(m[4]),
      truncated: body.includes('[|tcp]'),
    };
  }
  return null;
}

/** `tcpdump -q`: the flags were not printed; "?" says so where a flag string is shown. */
function quietTcp(payloadLength: number): TcpFields {
  return { flags: blankFlags(), flagString: '?', seq: null, ack: null, window: null, payloadLength, truncated: false };
}

// "VRRPv2, Advertisement, vrid 51, prio 100, authtype simple, intvl 1s, length 20[, addrs: ...]"
const VRRP = /^VRRPv([23]), Advertisement, vrid (\d+), prio (\d+)(?:, authtype (none|simple|ah))?(?:, intvl (\d+)(c?s))?, length \d+(?:, addrs(?:\(\d+\))?: .*)?$/;

function parseVrrp(body: string): VrrpInfo | null {
  const m = VRRP.exec(body);
  if (!m) return null;
  const interval = m[5] === undefined ? null : m[6] === 'cs' ? Number(m[5]) / 100 : Number(m[5]);
  return { version: Number(m[1]) as 2 | 3, vrid: Number(m[2]), priority: Number(m[3]), authType: m[4] ?? null, intervalSeconds: interval };
}

function icmp(kind: IcmpKind, type: number | null, code: number | null): IcmpInfo {
  return { type, code, kind, id: null, sequence: null, gateway: null, embedded: null };
}

function embedded(dst: string, protocol: TransportProtocol | null, dstPort: Port | null): EmbeddedPacket {
  return { src: null, dst, protocol, srcPort: null, dstPort };
}

const LENGTH_TAIL = /(?:, length \d+)?(?: \(DF\))?(?: \[tos 0x[0-9a-f]+\])?$/;

/** ICMP (v4) body after "ICMP " (4.x) or "icmp: " (3.x). */
function parseIcmp4(body: string): IcmpInfo | null {
  const text = body.replace(LENGTH_TAIL, '');
  let m = /^echo (request|reply)(?:, id (\d+), seq (\d+))?$/.exec(text);
  if (m) {
    const info = icmp(m[1] === 'request' ? 'echo-request' : 'echo-reply', m[1] === 'request' ? 8 : 0, 0);
    if (m[2] !== undefined) {
      info.id = Number(m[2]);
      info.sequence = Number(m[3]);
    }
    return info;
  }
  m = /^(\S+) (tcp|udp) port (\S+) unreachable$/.exec(text);
  if (m) {
    const dst = parseAddress(m[1]);
    const port = parsePort(m[3]);
    if (dst === null || port === null) return null;
    const info = icmp('port-unreachable', 3, 3);
    info.embedded = embedded(dst, m[2] as TransportProtocol, port);
    return info;
  }
  m = /^(\S+) protocol (\d+) unreachable$/.exec(text);
  if (m) return unreachable('protocol-unreachable', 2, m[1]);
  m = /^(net|host) (\S+) unreachable( - admin prohibited(?: filter)?)?$/.exec(text);
  if (m) {
    if (m[3] === undefined) return unreachable(m[1] === 'net' ? 'net-unreachable' : 'host-unreachable', m[1] === 'net' ? 0 : 1, m[2]);
    const code = m[3].endsWith('filter') ? 13 : m[1] === 'net' ? 9 : 10;
    return unreachable('admin-prohibited', code, m[2]);
  }
  m = /^(\S+) unreachable - need to frag(?: \(mtu \d+\))?$/.exec(text);
  if (m) return unreachable('fragmentation-needed', 4, m[1]);
  m = /^redirect (\S+) to (net|host|tos net|tos host) (\S+)$/.exec(text);
  if (m) {
    const dst = parseAddress(m[1]);
    const gateway = parseAddress(m[3]);
    if (dst === null || gateway === null) return null;
    const code = ['net', 'host', 'tos net', 'tos host'].indexOf(m[2]);
    const info = icmp(m[2].endsWith('net') ? 'redirect-net' : 'redirect-host', 5, code);
    info.gateway = gateway;
    info.embedded = embedded(dst, null, null);
    return info;
  }
  m = /^time exceeded in-transit$/.exec(text);
  if (m) return icmp('time-exceeded', 11, 0);
  m = /^ip reassembly time exceeded$/.exec(text);
  if (m) return icmp('time-exceeded', 11, 1);
  return null;
}

function unreachable(kind: IcmpKind, code: number, dstText: string): IcmpInfo | null {
  const dst = parseAddress(dstText);
  if (dst === null) return null;
  const info = icmp(kind, 3, code);
  info.embedded = embedded(dst, null, null);
  return info;
}

const ICMP6_UNREACH: Record<string, [IcmpKind, number]> = {
  route: ['net-unreachable', 0],
  prohibited: ['admin-prohibited', 1],
  beyond: ['unreachable-other', 2],
  address: ['host-unreachable', 3],
  port: ['port-unreachable', 4],
};

/** ICMP6 body after "ICMP6, ". */
function parseIcmp6(body: string): IcmpInfo | null {
  const text = body.replace(/, length \d+$/, '');
  let m = /^echo (request|reply), id (\d+), seq (\d+)$/.exec(text);
  if (m) {
    const info = icmp(m[1] === 'request' ? 'echo-request' : 'echo-reply', m[1] === 'request' ? 128 : 129, 0);
    info.id = Number(m[2]);
    info.sequence = Number(m[3]);
    return info;
  }
  m = /^destination unreachable, unreachable port, (\S+) (tcp|udp) port (\S+)$/.exec(text);
  if (m) {
    const dst = parseAddress(m[1]);
    const port = parsePort(m[3]);
    if (dst === null || port === null) return null;
    const info = icmp('port-unreachable', 1, 4);
    info.embedded = embedded(dst, m[2] as TransportProtocol, port);
    return info;
  }
  // print-icmp6.c prints a doubled space before these: "destination unreachable,  unreachable route X".
  m = /^destination unreachable, {1,2}unreachable (route|prohibited|beyond|address) (\S+)$/.exec(text);
  if (m) {
    const dst = parseAddress(m[2]);
    if (dst === null) return null;
    const [kind, code] = ICMP6_UNREACH[m[1]];
    const info = icmp(kind, 1, code);
    info.embedded = embedded(dst, null, null);
    return info;
  }
  m = /^redirect, (\S+) to (\S+)$/.exec(text);
  if (m) {
    const dst = parseAddress(m[1]);
    const gateway = parseAddress(m[2]);
    if (dst === null || gateway === null) return null;
    const info = icmp('redirect-host', 137, 0);
    info.gateway = gateway;
    info.embedded = embedded(dst, null, null);
    return info;
  }
  if (/^time exceeded in-transit(?: for \S+)?$/.exec(text)) return icmp('time-exceeded', 3, 0);
  if (/^neighbor solicitation, who has \S+$/.test(text)) return icmp('neighbor-solicitation', 135, 0);
  if (/^neighbor advertisement, tgt is \S+$/.test(text)) return icmp('neighbor-advertisement', 136, 0);
  if (text === 'router solicitation') return icmp('router-solicitation', 133, 0);
  if (/^router advertisement\b/.test(text)) return icmp('router-advertisement', 134, 0);
  if (/^multicast listener (?:report|query|done)\b/.test(text)) return icmp('other', null, null);
  return null;
}

// ---- whole packet lines -----------------------------------------------------------------

function blankPacket(line: NumberedLine, time: PacketTime | null, link: LinkInfo, wireLength: number | null): Packet {
  return emptyPacket({ kind: 'text-line', index: line.no }, time, link, wireLength);
}

const ARP_BODY = new RegExp(
  `^(?:Request who-has (\\S+)(?: \\((?:${MAC}|Broadcast)\\))? tell (\\S+)|Reply (\\S+) is-at (${MAC})${OUI})(?:, length \\d+)?$`,
);

function parseArp(p: Packet, body: string): Packet | null {
  const m = ARP_BODY.exec(body);
  if (!m) return null;
  const arp: ArpInfo =
    m[1] !== undefined
      ? { operation: 'request', senderIp: parseAddress(m[2]), targetIp: parseAddress(m[1]), senderMac: null }
      : { operation: 'reply', senderIp: parseAddress(m[3]), targetIp: null, senderMac: m[4] };
  p.protocol = 'arp';
  p.arp = arp;
  return p;
}

const IP_HEAD = /^(\S+) > (\S+?):(?: |$)/;

function parseIpLine(p: Packet, rest: string, version: 4 | 6 | null): Packet | null {
  const m = IP_HEAD.exec(rest);
  if (!m) return null;
  const body = rest.slice(m[0].length);
  const srcText = m[1];
  const dstText = m[2];

  const vrrp = parseVrrp(body);
  if (vrrp) {
    const src = parseAddress(srcText);
    const dst = parseAddress(dstText);
    if (src === null || dst === null) return null;
    Object.assign(p, { src, dst, protocol: 'other', vrrp, ipVersion: version ?? 4 });
    return p;
  }
  // -q: "tcp N" and nothing of the header but the payload length.
  const quiet = /^tcp (\d+)(?: \(DF\))?$/.exec(body);
  const tcp = quiet ? quietTcp(Number(quiet[1])) : parseTcpBody(body);
  const udp = /^(?:UDP, length (\d+)|udp (\d+))(?:$| \(DF\)$)/.exec(body);
  if (tcp || udp) {
    const src = parseEndpoint(srcText);
    const dst = parseEndpoint(dstText);
    if (!src || !dst) return null;
    p.src = src.address;
    p.dst = dst.address;
    if (tcp) {
      p.protocol = 'tcp';
      p.truncated = tcp.truncated;
      p.tcp = { srcPort: src.port, dstPort: dst.port, flags: tcp.flags, flagString: tcp.flagString, seq: tcp.seq, ack: tcp.ack, window: tcp.window, payloadLength: tcp.payloadLength, ...(quiet ? { flagsUnknown: true as const } : {}) };
    } else if (udp) {
      p.protocol = 'udp';
      p.udp = { srcPort: src.port, dstPort: dst.port, payloadLength: Number(udp[1] ?? udp[2]) };
    }
  } else {
    const src = parseAddress(srcText);
    const dst = parseAddress(dstText);
    if (src === null || dst === null) return null;
    p.src = src;
    p.dst = dst;
    let info: IcmpInfo | null = null;
    const icmp6 = /^(?:HBH )?ICMP6, (.*)$/.exec(body);
    const icmp4 = /^(?:ICMP |icmp: )(.*)$/.exec(body);
    if (icmp6) {
      info = parseIcmp6(icmp6[1]);
      p.protocol = 'icmp6';
    } else if (icmp4) {
      info = parseIcmp4(icmp4[1]);
      p.protocol = 'icmp';
    } else {
      return null;
    }
    if (!info) return null;
    p.icmp = info;
  }
  p.ipVersion = version ?? (p.src.includes(':') ? 6 : isIPv4(p.src) ? 4 : null);
  return p;
}

/** One line of tcpdump's packet output, or null when it is not understood whole. */
export function parsePacketLine(line: NumberedLine): Packet | null {
  const { time, rest: afterTime } = takeTime(line.text);
  const { link, wireLength, network, rest } = takeLink(afterTime);
  const p = blankPacket(line, time, link, wireLength);
  if (network === 'arp') return parseArp(p, rest);
  if (network === 'ip') return parseIpLine(p, rest, 4);
  if (network === 'ip6') return parseIpLine(p, rest, 6);
  if (network === 'other') return null;
  if (rest.startsWith('ARP, ')) return parseArp(p, rest.slice(5));
  if (rest.startsWith('IP6 ')) return parseIpLine(p, rest.slice(4), 6);
  if (rest.startsWith('IP ')) {
    // 4.x prints "IP"; a 3.x paste whose addresses were lost prints "IP > S ..." and is left unparsed.
    return parseIpLine(p, rest.slice(3), 4);
  }
  // 3.x printed no "IP" before the addresses.
  if (time !== null) return parseIpLine(p, rest, null);
  return null;
}

// ---- banners ----------------------------------------------------------------------------

const COUNTERS: [RegExp, keyof TcpdumpCaptureInfo][] = [
  [/^(\d+) packets? captured$/, 'captured'],
  [/^(\d+) packets? received by filter$/, 'receivedByFilter'],
  [/^(\d+) packets? dropped by kernel$/, 'droppedByKernel'],
  [/^(\d+) packets? dropped by interface$/, 'droppedByInterface'],
];
const LISTENING = /^(?:tcpdump: )?listening on (\S+?)(?:, link-type (\S+)(?: \([^)]*\))?, (?:snapshot length|capture size) (\d+) bytes)?$/;
const READING = /^reading from file (.+), link-type (\S+)(?: \([^)]*\))?(?:, snapshot length (\d+))?$/;

/**
 * What tcpdump's stderr says about a capture (with `-w`, the banner and the counters it prints
 * on exit are all the text there is). The counters are null when tcpdump did not get to print
 * them (killed hard, or still running).
 */
export function readCaptureBanners(stderr: string): TcpdumpCaptureInfo {
  const capture: TcpdumpCaptureInfo = { interface: null, file: null, linkType: null, snaplen: null, captured: null, receivedByFilter: null, droppedByKernel: null, droppedByInterface: null };
  for (const line of stderr.split('\n')) readBanner(line.replace(/^tcpdump: /, '').trim(), capture);
  return capture;
}

/** The counters tcpdump prints on one line when asked while it runs (SIGINFO, SIGUSR1 on Linux). */
export interface RequestedCounters {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
}

// macOS may add ", N drops by metadata filter"; any tcpdump may add "..., N packets dropped by interface".
const REQUESTED_COUNTERS = /^(?:tcpdump: )?(\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel(?:, .*)?$/;

/** One stderr line read as requested counters, or null when it is something else. */
export function readRequestedCountersLine(line: string): RequestedCounters | null {
  const m = REQUESTED_COUNTERS.exec(line.trim());
  return m ? { captured: Number(m[1]), receivedByFilter: Number(m[2]), droppedByKernel: Number(m[3]) } : null;
}

/** The first counters tcpdump printed on request in `stderr` (the doctor asks once, when it listens), or null. */
export function readRequestedCounters(stderr: string): RequestedCounters | null {
  for (const line of stderr.split('\n')) {
    const c = readRequestedCountersLine(line);
    if (c) return c;
  }
  return null;
}

function readBanner(text: string, capture: TcpdumpCaptureInfo): boolean {
  for (const [re, field] of COUNTERS) {
    const m = re.exec(text);
    if (m) {
      (capture[field] as number | null) = Number(m[1]);
      return true;
    }
  }
  let m = LISTENING.exec(text);
  if (m) {
    capture.interface = m[1];
    capture.linkType = m[2] ?? null;
    capture.snaplen = m[3] === undefined ? null : Number(m[3]);
    return true;
  }
  m = READING.exec(text);
  if (m) {
    capture.file = m[1];
    capture.linkType = m[2];
    capture.snaplen = m[3] === undefined ? null : Number(m[3]);
    return true;
  }
  return false;
}

export function parseTcpdumpText(input: string): TcpdumpText {
  const result: TcpdumpText = {
    format: 'tcpdump',
    packets: [],
    unparsed: [],
    messages: [],
    capture: { interface: null, file: null, linkType: null, snaplen: null, captured: null, receivedByFilter: null, droppedByKernel: null, droppedByInterface: null },
  };
  let recognised = 0;
  for (const line of numberedLines(input)) {
    if (line.text.trim() === '') continue;
    if (readBanner(line.text, result.capture)) {
      recognised++;
      continue;
    }
    if (line.text.startsWith('tcpdump: ')) {
      result.messages.push({ line: line.no, text: line.text });
      recognised++;
      continue;
    }
    const packet = parsePacketLine(line);
    if (packet) {
      result.packets.push(packet);
      recognised++;
    } else {
      result.unparsed.push({ line: line.no, text: line.text });
      // A timestamped line is tcpdump's even when its packet cannot be read whole.
      if (takeTime(line.text).time !== null) recognised++;
    }
  }
  if (recognised === 0 && result.unparsed.length > 0) {
    const first = result.unparsed[0];
    throw new ParseError('expected tcpdump output (a timestamped packet line or a tcpdump banner)', first.line, first.text);
  }
  return result;
}

export const tcpdumpTextParser: TextParser<TcpdumpText> = {
  id: 'tcpdump',
  description: 'tcpdump -n text output (4.x and 3.x styles, -e, -i any, -tttt), with its stderr banners',
  kind: 'text',
  parse: parseTcpdumpText,
};
