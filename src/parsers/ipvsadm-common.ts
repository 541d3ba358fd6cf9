// Pieces shared by every ipvsadm output form: endpoints ("10.0.0.1:80", "[2001:db8::1]:443",
// "web1.example:http"), counters with K/M/G/T suffixes, forwarding names. The exact print
// formats come from ipvsadm.c (print_service_entry, print_largenum, addrport_to_anyname).
import type { ForwardMethod } from '../model/virtual-service.js';
import { isIPv4, isIPv6 } from '../util/ip.js';
import { ParseError } from '../model/parse-error.js';
import type { NumberedLine } from './lines.js';

export type IpvsServiceProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface IpvsEndpoint {
  /** An IP address (IPv6 without brackets) or, in the name forms (-L without -n), a host name. */
  address: string;
  /** A number, or the service name ipvsadm printed ("http"); null when the column cut it off. */
  port: number | string | null;
  /**
   * Present (true) when ipvsadm may have cut the text at its column width (28 characters for
   * an IPv4 or host-name destination, 33 for the whole "TCP  name:port" service column, 59 for
   * a "name:port" of -Lc): the address may be incomplete and the port is then unknown.
   * `printed` keeps the text as printed.
   */
  truncated?: true;
  printed?: string;
}

/** Width at which ipvsadm cuts a non-IPv6 destination name (dname[28] = '\0'). */
export const DESTINATION_COLUMN = 28;
/** Width at which ipvsadm cuts an IPv4 "PROT name:port" service column (svc_name[33] = '\0'). */
export const SERVICE_COLUMN = 33;
/**
 * Width at which -Lc and -S cut each "name:port" (addrport_to_anyname: snprintf into malloc(60)).
 * Real ipvsadm 1.31 printed "client-host-with-a-long-name.lvs-doctor.example.internal:54" for
 * port 54684 (fixtures/parsers/ipvsadm/ipvs-vm--table-ipvsadm-lc.out).
 */
export const CONNECTION_ENDPOINT_COLUMN = 59;

const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const PORT_NAME = /^[A-Za-z][A-Za-z0-9._+-]*$/;

/**
 * Parses one printed endpoint. `limit` is the width at which ipvsadm may have cut it; a text
 * that reaches it is flagged truncated and its port reported unknown (the cut can fall inside
 * the port: "1.31.31.31.dyn.idknet.com:50" was port 5001).
 */
export function parseEndpoint(text: string, limit: number | null, line: NumberedLine, what: string): IpvsEndpoint {
  if (text.startsWith('[')) {
    const m = /^\[([^\]\s]+)\]:(\S+)$/.exec(text);
    if (!m) throw new ParseError(`expected ${what} as [ADDRESS]:PORT`, line.no, line.text);
    const address = m[1];
    if (!isIPv6(address) && !HOST_NAME.test(address)) {
      throw new ParseError(`expected an IPv6 address or host name inside [] in ${what}`, line.no, line.text);
    }
    return { address, port: parsePort(m[2], line, what) };
  }
  const mayBeCut = limit !== null && text.length >= limit;
  const colon = text.lastIndexOf(':');
  if (colon < 0) {
    if (mayBeCut && HOST_NAME.test(text)) return { address: text, port: null, truncated: true, printed: text };
    throw new ParseError(`expected ${what} as ADDRESS:PORT`, line.no, line.text);
  }
  const address = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!isIPv4(address) && !HOST_NAME.test(address)) {
    throw new ParseError(`expected an IPv4 address or host name in ${what}`, line.no, line.text);
  }
  if (mayBeCut && !isIPv4(address)) {
    if (portText !== '' && !/^[A-Za-z0-9._+-]+$/.test(portText)) {
      throw new ParseError(`expected a port in ${what}`, line.no, line.text);
    }
    return { address, port: null, truncated: true, printed: text };
  }
  return { address, port: parsePort(portText, line, what) };
}

export function parsePort(text: string, line: NumberedLine, what: string): number | string {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port > 65535) throw new ParseError(`expected a port 0-65535 in ${what}`, line.no, line.text);
    return port;
  }
  if (PORT_NAME.test(text)) return text;
  throw new ParseError(`expected a port number or service name in ${what}`, line.no, line.text);
}

/** An IP address family as printed: bracketed = IPv6, dotted quad = IPv4, a bare name = unknown. */
export function familyOf(endpoint: IpvsEndpoint, printedBracketed: boolean): 'ipv4' | 'ipv6' | null {
  if (printedBracketed || isIPv6(endpoint.address)) return 'ipv6';
  if (isIPv4(endpoint.address)) return 'ipv4';
  return null;
}

/**
 * A counter from --stats/--rate. Plain digits are exact. Without --exact ipvsadm abbreviates
 * values of 100 million and more by integer division (print_largenum: "%8lluK" of i/1000,
 * M = /1e6, G = /1e9, T = /1e12), so "830843K" means 830,843,000..830,843,999: such a value is
 * never exact and is kept raw with the range it stands for. Values past 2^53 lose precision.
 */
export type IpvsCounter = number | AbbreviatedCounter;

export interface AbbreviatedCounter {
  raw: string;
  /** Smallest value the abbreviation stands for. */
  min: number;
  /** Largest value it stands for (inclusive). */
  max: number;
}

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function parseCounter(text: string | undefined, line: NumberedLine, what: string): IpvsCounter {
  if (text !== undefined && /^\d+$/.test(text)) return Number(text);
  const m = text === undefined ? null : /^(\d+)([KMGT])$/.exec(text);
  if (!m || text === undefined) throw new ParseError(`expected ${what} (a counter, optionally with K/M/G/T)`, line.no, line.text);
  const unit = SUFFIX[m[2]];
  const n = Number(m[1]);
  return { raw: text, min: n * unit, max: (n + 1) * unit - 1 };
}

export function parseUnsigned(text: string | undefined, line: NumberedLine, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new ParseError(`expected ${what} (a non-negative integer)`, line.no, line.text);
  return Number(text);
}

const FORWARDS: readonly ForwardMethod[] = ['Masq', 'Route', 'Tunnel', 'Local'];

export function parseForward(text: string | undefined, line: NumberedLine): ForwardMethod {
  const found = FORWARDS.find((f) => f === text);
  if (!found) throw new ParseError('expected a forwarding method Masq, Route, Tunnel or Local', line.no, line.text);
  return found;
}

export function parseProtocol(text: string | undefined): IpvsServiceProtocol | null {
  return text === 'TCP' || text === 'UDP' || text === 'SCTP' ? text : null;
}

/**
 * FWM marks are unsigned 32-bit, but ipvsadm prints them with %d, so a mark of 2^31 or more
 * comes out negative ("FWM  -1412536447" for 2882430849; Debian's ipvsadm 1.31 still printed
 * 0x80000001 as "FWM  -2147483647" in a real capture, ipvs-vm fixtures). Undo that.
 */
export function parseFwmark(text: string | undefined, line: NumberedLine): { fwmark: number; printedNegative: boolean } {
  if (text === undefined || !/^-?\d+$/.test(text)) throw new ParseError('expected a firewall mark (an integer)', line.no, line.text);
  const value = Number(text);
  if (value < -2147483648 || value > 4294967295) throw new ParseError('expected a 32-bit firewall mark', line.no, line.text);
  return value < 0 ? { fwmark: value + 4294967296, printedNegative: true } : { fwmark: value, printedNegative: false };
}

/** Whitespace-separated fields; pasted outputs differ in spacing but never inside a field. */
export function fields(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** A header line compared with its spacing normalised (pastes re-indent and re-space). */
export function normalised(text: string): string {
  return fields(text).join(' ');
}
