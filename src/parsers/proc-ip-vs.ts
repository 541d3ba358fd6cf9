// Parser id `proc-ip-vs`: /proc/net/ip_vs, the kernel's own print of the IPVS table
// (ip_vs_info_seq_show in net/netfilter/ipvs/ip_vs_ctl.c). It differs from `ipvsadm -Ln`:
//   - IPv4 addresses and all ports are hex ("C0A80016:0CEA" = 192.168.0.22:3306), an IPv6
//     address is printed in full ("[2620:0000:...:0001]:0050"), a fwmark is hex ("FWM  10001000");
//   - "ops" comes before the persistence, and persistence is "persistent TIMEOUT NETMASK" with
//     the timeout in jiffies (svc->timeout = seconds * HZ) and the netmask in hex;
//   - services and destinations come in hash-table order, not sorted as ipvsadm sorts them.
import type { ForwardMethod } from '../model/virtual-service.js';
import { bigIntToIpv6, intToIpv4, ipv6ToBigInt } from '../util/ip.js';
import type { TextParser } from '../model/parser.js';
import { contentLines, type NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { fields, normalised, parseForward, parseProtocol, parseUnsigned } from './ipvsadm-common.js';
import { VERSION_LINE } from './ipvsadm-listing.js';

export interface ProcIpVsEndpoint {
  address: string;
  port: number;
}

export interface ProcIpVsDestination extends ProcIpVsEndpoint {
  forward: ForwardMethod;
  weight: number;
  activeConns: number;
  inactiveConns: number;
}

export interface ProcIpVsService {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  address: string | null;
  port: number | null;
  fwmark: number | null;
  family: 'ipv4' | 'ipv6';
  scheduler: string;
  onePacket: boolean;
  /**
   * The persistence timeout exactly as the kernel printed it: in jiffies, i.e. seconds * HZ of
   * that kernel (CONFIG_HZ: 100, 250, 300 or 1000; `getconf CLK_TCK` does not tell it). Use
   * persistentSeconds() with the host's HZ to convert. null when the service is not persistent.
   */
  persistentJiffies: number | null;
  /** The persistence netmask as printed (8 hex digits); null when not persistent. */
  persistenceMaskHex: string | null;
  /** The same mask as a dotted quad for an IPv4 service; null otherwise. */
  persistenceMask: string | null;
  destinations: ProcIpVsDestination[];
}

export interface ProcIpVs {
  format: 'proc-ip-vs';
  version: string;
  connTableSize: number;
  services: ProcIpVsService[];
}

/** Seconds of a jiffies value for a kernel with the given CONFIG_HZ. */
export function persistentSeconds(jiffies: number, hz: number): number {
  return Math.round(jiffies / hz);
}

const TITLE = 'Prot LocalAddress:Port Scheduler Flags';
const DEST_TITLE = '-> RemoteAddress:Port Forward Weight ActiveConn InActConn';

export function parseProcIpVs(text: string): ProcIpVs {
  const lines = contentLines(text);
  const [versionLine, title, destTitle, ...rows] = lines;
  const version = versionLine ? VERSION_LINE.exec(normalised(versionLine.text)) : null;
  if (!version || !versionLine) throw new ParseError("expected 'IP Virtual Server version X.Y.Z (size=N)'", versionLine?.no ?? 0, versionLine?.text);
  if (!title || normalised(title.text) !== TITLE) throw new ParseError(`expected '${TITLE}'`, title?.no ?? versionLine.no, title?.text);
  if (!destTitle || normalised(destTitle.text) !== DEST_TITLE) throw new ParseError(`expected '  ${DEST_TITLE}'`, destTitle?.no ?? title.no, destTitle?.text);
  const services: ProcIpVsService[] = [];
  for (const row of rows) {
    const f = fields(row.text);
    if (f[0] === '->') {
      const current = services[services.length - 1];
      if (!current) throw new ParseError('expected a virtual service line before the first destination', row.no, row.text);
      current.destinations.push(parseDestination(f.slice(1), row));
    } else {
      services.push(parseService(f, row));
    }
  }
  return { format: 'proc-ip-vs', version: version[1], connTableSize: Number(version[2]), services };
}

function parseService(f: string[], line: NumberedLine): ProcIpVsService {
  let service: ProcIpVsService;
  if (f[0] === 'FWM') {
    if (f[1] === undefined || !/^[0-9A-F]{8}$/i.test(f[1])) throw new ParseError('expected the fwmark as 8 hex digits', line.no, line.text);
    service = blank('FWM', null, null, parseInt(f[1], 16), 'ipv4');
  } else {
    const protocol = parseProtocol(f[0]);
    if (!protocol || f[1] === undefined) throw new ParseError("expected 'TCP|UDP|SCTP HEXADDR:HEXPORT SCHEDULER' or 'FWM HEXMARK SCHEDULER'", line.no, line.text);
    const endpoint = parseHexEndpoint(f[1], line, 'the virtual service');
    service = blank(protocol, endpoint.address, endpoint.port, null, f[1].startsWith('[') ? 'ipv6' : 'ipv4');
  }
  const rest = f.slice(2);
  const scheduler = rest[0];
  if (scheduler === undefined || !/^[a-z][a-z0-9_-]*$/.test(scheduler)) throw new ParseError('expected a scheduler name', line.no, line.text);
  service.scheduler = scheduler;
  let k = 1;
  if (rest[k] === 'ops') {
    service.onePacket = true;
    k++;
  }
  if (rest[k] === 'persistent') {
    service.persistentJiffies = parseUnsigned(rest[k + 1], line, 'the persistence timeout (jiffies)');
    const mask = rest[k + 2];
    if (mask === undefined || !/^[0-9A-F]{8}$/i.test(mask)) throw new ParseError('expected the persistence netmask as 8 hex digits', line.no, line.text);
    service.persistenceMaskHex = mask;
    service.persistenceMask = service.family === 'ipv4' ? intToIpv4(parseInt(mask, 16)) : null;
    k += 3;
  }
  if (k < rest.length) throw new ParseError(`expected nothing more after the service flags, found '${rest[k]}'`, line.no, line.text);
  return service;
}

function blank(protocol: ProcIpVsService['protocol'], address: string | null, port: number | null, fwmark: number | null, family: 'ipv4' | 'ipv6'): ProcIpVsService {
  return { protocol, address, port, fwmark, family, scheduler: '', onePacket: false, persistentJiffies: null, persistenceMaskHex: null, persistenceMask: null, destinations: [] };
}

function parseDestination(f: string[], line: NumberedLine): ProcIpVsDestination {
  if (f.length !== 5 || f[0] === undefined) throw new ParseError("expected '-> HEXADDR:HEXPORT Forward Weight ActiveConn InActConn'", line.no, line.text);
  const endpoint = parseHexEndpoint(f[0], line, 'the destination');
  return {
    ...endpoint,
    forward: parseForward(f[1], line),
    weight: parseSigned(f[2], line, 'the weight'),
    activeConns: parseSigned(f[3], line, 'ActiveConn'),
    inactiveConns: parseSigned(f[4], line, 'InActConn'),
  };
}

// The kernel prints these counters with %d, so a wrapped value would show negative.
function parseSigned(text: string | undefined, line: NumberedLine, what: string): number {
  if (text === undefined || !/^-?\d+$/.test(text)) throw new ParseError(`expected ${what} (an integer)`, line.no, line.text);
  return Number(text);
}

/** "C0A80016:0CEA" or "[2620:0000:...:0001]:0050". */
export function parseHexEndpoint(text: string, line: NumberedLine, what: string): ProcIpVsEndpoint {
  const v6 = /^\[([0-9a-f]{4}(?::[0-9a-f]{4}){7})\]:([0-9A-F]{4})$/i.exec(text);
  if (v6) return { address: bigIntToIpv6(ipv6ToBigInt(v6[1])), port: parseInt(v6[2], 16) };
  const v4 = /^([0-9A-F]{8}):([0-9A-F]{4})$/i.exec(text);
  if (v4) return { address: hexToIpv4(v4[1]), port: parseInt(v4[2], 16) };
  throw new ParseError(`expected ${what} as HEXADDR:HEXPORT (8 and 4 hex digits) or [FULL:IPV6]:HEXPORT`, line.no, line.text);
}

/** 8 hex digits in host order as the kernel prints ntohl(addr): "C0A80016" = 192.168.0.22. */
export function hexToIpv4(hex: string): string {
  return intToIpv4(parseInt(hex, 16));
}

/** A full IPv6 address as %pI6 prints it (8 groups of 4 hex digits), canonicalised. */
export function fullIpv6(text: string): string | null {
  return /^[0-9a-f]{4}(?::[0-9a-f]{4}){7}$/i.test(text) ? bigIntToIpv6(ipv6ToBigInt(text)) : null;
}

export const procIpVsParser: TextParser<ProcIpVs> = {
  id: 'proc-ip-vs',
  description: '/proc/net/ip_vs: the IPVS table as the kernel prints it (hex addresses, persistence in jiffies)',
  kind: 'text',
  parse: parseProcIpVs,
};
