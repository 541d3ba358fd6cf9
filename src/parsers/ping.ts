// `ping` from iputils and BusyBox: replies, ICMP errors reported by routers ("From X icmp_seq=N
// Destination Host Unreachable", "Redirect Host(New nexthop: X)"), the statistics, and the
// failure to send at all ("ping: connect: Network is unreachable").
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';

export type PingErrorKind =
  | 'redirect-host' | 'redirect-network' | 'redirect-tos-host' | 'redirect-tos-network'
  | 'host-unreachable' | 'net-unreachable' | 'port-unreachable' | 'protocol-unreachable'
  | 'admin-prohibited' | 'host-prohibited' | 'net-prohibited' | 'frag-needed' | 'source-route-failed'
  | 'ttl-exceeded' | 'address-unreachable' | 'other';

export interface PingReply {
  from: string;
  /** The resolved name when ping printed `name (address)`. */
  fromName: string | null;
  seq: number;
  ttl: number | null;
  timeMs: number | null;
  duplicate: boolean;
  line: number;
}

export interface PingError {
  /** The router or host that sent the ICMP error. */
  from: string;
  seq: number | null;
  kind: PingErrorKind;
  /** The text after the sequence number, as printed. */
  text: string;
  /** For redirects: the gateway the sender was told to use instead. */
  newNexthop: string | null;
  line: number;
}

export type PingConnectErrorKind = 'network-unreachable' | 'no-route-to-host' | 'permission-denied' | 'unknown-host' | 'cannot-assign-address' | 'other';

export interface PingResult {
  format: 'ping';
  implementation: 'iputils' | 'busybox' | null;
  target: string | null;
  targetAddress: string | null;
  /** The source address shown with `-I ADDR` (iputils: `from SRC :`). */
  source: string | null;
  transmitted: number | null;
  received: number | null;
  /** The `+N errors` count of iputils. */
  errorCount: number;
  duplicates: number;
  lossPercent: number | null;
  timeMs: number | null;
  rtt: { minMs: number; avgMs: number; maxMs: number; mdevMs: number | null } | null;
  replies: PingReply[];
  errors: PingError[];
  /** ping could not send at all: `ping: connect: Network is unreachable` (iputils), `ping: sendto: ...` (BusyBox). */
  connectError: { kind: PingConnectErrorKind; syscall: string | null; message: string; line: number } | null;
  noAnswerYet: number[];
  /** The user stopped ping with Ctrl-C (the terminal echoed "^C" before the statistics). */
  interrupted?: true;
}

const errorTexts: [RegExp, PingErrorKind][] = [
  [/^Redirect Host\(New nexthop: ([^)]+)\)$/, 'redirect-host'],
  [/^Redirect Network\(New nexthop: ([^)]+)\)$/, 'redirect-network'],
  [/^Redirect Type of Service and Host\(New nexthop: ([^)]+)\)$/, 'redirect-tos-host'],
  [/^Redirect Type of Service and Network\(New nexthop: ([^)]+)\)$/, 'redirect-tos-network'],
  [/^Destination Host Unreachable$/, 'host-unreachable'],
  [/^Destination Net Unreachable$/, 'net-unreachable'],
  [/^Destination Port Unreachable$/, 'port-unreachable'],
  [/^Destination Protocol Unreachable$/, 'protocol-unreachable'],
  [/^Packet filtered$/, 'admin-prohibited'],
  [/^Destination Host Prohibited$/, 'host-prohibited'],
  [/^Destination Net Prohibited$/, 'net-prohibited'],
  [/^Frag needed and DF set \(mtu = \d+\)$/, 'frag-needed'],
  [/^Source Route Failed$/, 'source-route-failed'],
  [/^Time to live exceeded$/, 'ttl-exceeded'],
  [/^Destination unreachable: Address unreachable$/, 'address-unreachable'],
  [/^Destination unreachable: Administratively prohibited$/, 'admin-prohibited'],
  [/^Destination unreachable: No route$/, 'net-unreachable'],
  [/^Destination unreachable: Port unreachable$/, 'port-unreachable'],
];

const connectKinds: [RegExp, PingConnectErrorKind][] = [
  [/Network is unreachable$/, 'network-unreachable'],
  [/No route to host$/, 'no-route-to-host'],
  [/(Permission denied|Operation not permitted)$/, 'permission-denied'],
  [/(Name or service not known|unknown host|Temporary failure in name resolution|bad address)/i, 'unknown-host'],
  [/Cannot assign requested address$/, 'cannot-assign-address'],
];

const num = String.raw`(\d+(?:\.\d+)?)`;
const headerIputils = /^PING (\S+?) ?\(([^)]+)\)(?: from (\S+) \S*\s*:)? (\d+)\((\d+)\) bytes of data\.$/;
const headerIputils6 = /^PING (\S+?) ?\(([^)]+)\)(?: from (\S+) \S*\s*:)? (\d+) data bytes$/;
const headerBusybox = /^PING (\S+) \(([^)]+)\): (\d+) data bytes$/;
const reply = new RegExp(String.raw`^\d+ bytes from (?:(\S+) \(([^)]+)\)|(\S+?)):? (?:icmp_seq|seq)=(\d+)(?: ident=\d+)? ttl=(\d+)(?: time=${num} ms)?( \(DUP!\))?$`);
const fromLine = /^From (?:(\S+) \(([^)]+)\)|(\S+?)):?(?: icmp_seq=(\d+))? (.+)$/;
const statsIputils = new RegExp(String.raw`^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?(?:, \+(\d+) duplicates)?, ${num}% packet loss(?:, time (\d+)ms)?$`);
const statsBusybox = new RegExp(String.raw`^(\d+) packets transmitted, (\d+) packets received, (?:(\d+) duplicates, )?${num}% packet loss$`);
const rttLine = new RegExp(String.raw`^(?:rtt|round-trip) min/avg/max(/mdev)? = ${num}/${num}/${num}(?:/${num})? ms$`);

function fail(line: NumberedLine, expected: string): never {
  throw new ParseError(expected, line.no, line.text);
}

export function parsePing(text: string): PingResult {
  const r: PingResult = {
    format: 'ping', implementation: null, target: null, targetAddress: null, source: null, transmitted: null, received: null,
    errorCount: 0, duplicates: 0, lossPercent: null, timeMs: null, rtt: null, replies: [], errors: [], connectError: null, noAnswerYet: [],
  };
  let sawHeader = false;
  let inStats = false;
  for (const line of numberedLines(text)) {
    const t = line.text.trimEnd();
    if (t === '') continue;
    // The terminal echoes Ctrl-C as "^C" before ping prints its statistics.
    if (t === '^C' && sawHeader && !inStats) {
      r.interrupted = true;
      continue;
    }
    let m: RegExpExecArray | null;
    if (!sawHeader && (m = headerIputils.exec(t) ?? headerIputils6.exec(t))) {
      Object.assign(r, { implementation: 'iputils', target: m[1], targetAddress: m[2], source: m[3] ?? null });
      sawHeader = true;
    } else if (!sawHeader && (m = headerBusybox.exec(t))) {
      Object.assign(r, { implementation: 'busybox', target: m[1], targetAddress: m[2] });
      sawHeader = true;
    } else if ((m = /^(?:ping|ping6): (?:(connect|sendto|bind|sendmsg|socket): )?(.+)$/.exec(t))) {
      if (r.connectError !== null) fail(line, 'expected one ping error line only');
      const message = m[2];
      const kind = connectKinds.find(([re]) => re.test(message))?.[1] ?? 'other';
      r.connectError = { kind, syscall: m[1] ?? null, message, line: line.no };
    } else if (!inStats && (m = reply.exec(t))) {
      r.replies.push({
        from: m[2] ?? m[3], fromName: m[2] !== undefined ? m[1] : null, seq: Number(m[4]), ttl: Number(m[5]),
        timeMs: m[6] !== undefined ? Number(m[6]) : null, duplicate: m[7] !== undefined, line: line.no,
      });
    } else if (!inStats && (m = fromLine.exec(t))) {
      const rest = m[5];
      const match = errorTexts.map(([re, kind]) => ({ kind, hit: re.exec(rest) })).find((x) => x.hit !== null);
      r.errors.push({
        from: m[2] ?? m[3], seq: m[4] !== undefined ? Number(m[4]) : null, kind: match?.kind ?? 'other', text: rest,
        newNexthop: match?.kind.startsWith('redirect') ? (match.hit?.[1] ?? null) : null, line: line.no,
      });
    } else if (!inStats && (m = /^no answer yet for icmp_seq=(\d+)$/.exec(t))) {
      r.noAnswerYet.push(Number(m[1]));
    } else if ((m = /^--- (\S+) ping statistics ---$/.exec(t))) {
      if (inStats) fail(line, 'expected one statistics block');
      inStats = true;
    } else if (inStats && (m = statsIputils.exec(t))) {
      Object.assign(r, {
        transmitted: Number(m[1]), received: Number(m[2]), duplicates: Number(m[3] ?? m[5] ?? 0), errorCount: Number(m[4] ?? 0),
        lossPercent: Number(m[6]), timeMs: m[7] !== undefined ? Number(m[7]) : null,
      });
    } else if (inStats && (m = statsBusybox.exec(t))) {
      Object.assign(r, { transmitted: Number(m[1]), received: Number(m[2]), duplicates: Number(m[3] ?? 0), lossPercent: Number(m[4]) });
    } else if (inStats && (m = rttLine.exec(t))) {
      if ((m[1] !== undefined) !== (m[5] !== undefined)) fail(line, 'expected as many rtt values as names');
      r.rtt = { minMs: Number(m[2]), avgMs: Number(m[3]), maxMs: Number(m[4]), mdevMs: m[5] !== undefined ? Number(m[5]) : null };
    } else if (inStats && /^pipe \d+$/.test(t)) {
      // iputils reports how many probes were in flight at once; nothing to diagnose from it.
    } else {
      fail(line, sawHeader ? 'expected a reply, an ICMP error line or the statistics' : "expected the 'PING target (address) ...' header");
    }
  }
  if (!sawHeader && r.connectError === null) throw new ParseError("expected the 'PING target (address) ...' header", 0);
  return r;
}

export const pingParser: TextParser<PingResult> = {
  id: 'ping',
  description: 'ping (iputils and BusyBox): replies, ICMP errors incl. redirects, statistics, connect errors',
  kind: 'text',
  parse: parsePing,
};
