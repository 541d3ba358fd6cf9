// The service table of `ipvsadm -L` in all its column sets: -Ln/-L, --stats, --rate (both
// also with --exact), --thresholds, --persistent-conn, --tun-info, and the single-service
// form `-L -t VIP:PORT` (no version line). The column set is told by the two title lines.
import type { ForwardMethod } from '../model/virtual-service.js';
import type { NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import {
  DESTINATION_COLUMN,
  SERVICE_COLUMN,
  familyOf,
  fields,
  normalised,
  parseCounter,
  parseEndpoint,
  parseForward,
  parseFwmark,
  parseProtocol,
  parseUnsigned,
  type IpvsCounter,
  type IpvsEndpoint,
} from './ipvsadm-common.js';

export type IpvsadmListingVariant = 'default' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info';

export interface IpvsTraffic {
  conns: IpvsCounter;
  inPkts: IpvsCounter;
  outPkts: IpvsCounter;
  inBytes: IpvsCounter;
  outBytes: IpvsCounter;
}

/** Per-second rates of --rate (the kernel's 2-second estimator). */
export interface IpvsRate {
  cps: IpvsCounter;
  inPps: IpvsCounter;
  outPps: IpvsCounter;
  inBps: IpvsCounter;
  outBps: IpvsCounter;
}

export interface IpvsadmDestination extends IpvsEndpoint {
  /** null in the column sets that do not print it (--stats, --rate, --thresholds, --persistent-conn). */
  forward: ForwardMethod | null;
  weight: number | null;
  activeConns: number | null;
  inactiveConns: number | null;
  /** --persistent-conn: persistence templates pointing at this destination. */
  persistConns?: number;
  /** --thresholds: upper/lower connection thresholds (0 = none). */
  upperThreshold?: number;
  lowerThreshold?: number;
  /** --tun-info: "ipip", "gue:PORT:FLAGS", "gre:FLAGS"; null where ipvsadm printed "n/a". */
  tunnelInfo?: string | null;
  stats?: IpvsTraffic;
  rate?: IpvsRate;
}

export interface IpvsadmService {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  /** null for a firewall-mark service. */
  address: string | null;
  port: number | string | null;
  fwmark: number | null;
  /** true when the mark was printed negative by the old %d bug and has been made unsigned. */
  fwmarkPrintedNegative?: true;
  /** From the brackets, the dotted quad, or "FWM n IPv6"; null for a bare host name. */
  family: 'ipv4' | 'ipv6' | null;
  /** null in --stats/--rate, which print no scheduler. */
  scheduler: string | null;
  /** Scheduler flags printed in parentheses: "sh-port", "mh-fallback", "flag-1", ... */
  schedulerFlags: string[];
  /** Persistence timeout in seconds. */
  persistent: number | null;
  /** Persistence granularity: a dotted IPv4 mask or an IPv6 prefix length, as printed after "mask". */
  persistenceMask: string | null;
  /** Persistence engine after "pe" (e.g. "sip"). */
  persistenceEngine: string | null;
  /** "ops": one-packet scheduling. */
  onePacket: boolean;
  truncated?: true;
  printed?: string;
  stats?: IpvsTraffic;
  rate?: IpvsRate;
  destinations: IpvsadmDestination[];
}

export interface IpvsadmListing {
  format: 'ipvsadm';
  variant: IpvsadmListingVariant;
  /** IPVS version from "IP Virtual Server version 1.2.1 (size=4096)"; null in the single-service form. */
  version: string | null;
  /** Connection hash table size from the same line. */
  connTableSize: number | null;
  services: IpvsadmService[];
  /**
   * A fragment without the title lines (`ipvsadm -Ln | grep -A2 VIP`): the column set was
   * told from the lines themselves, which only the default and --tun-info sets allow.
   */
  headerless?: true;
}

interface Title {
  variant: IpvsadmListingVariant;
  first: string;
  second: string;
}

const TITLES: readonly Title[] = [
  { variant: 'default', first: 'Prot LocalAddress:Port Scheduler Flags', second: '-> RemoteAddress:Port Forward Weight ActiveConn InActConn' },
  { variant: 'tun-info', first: 'Prot LocalAddress:Port Scheduler Flags', second: '-> RemoteAddress:Port Forward TunnelInfo Weight ActiveConn InActConn' },
  { variant: 'stats', first: 'Prot LocalAddress:Port Conns InPkts OutPkts InBytes OutBytes', second: '-> RemoteAddress:Port' },
  { variant: 'rate', first: 'Prot LocalAddress:Port CPS InPPS OutPPS InBPS OutBPS', second: '-> RemoteAddress:Port' },
  { variant: 'thresholds', first: 'Prot LocalAddress:Port Uthreshold Lthreshold ActiveConn InActConn', second: '-> RemoteAddress:Port' },
  { variant: 'persistent-conn', first: 'Prot LocalAddress:Port Weight PersistConn ActiveConn InActConn', second: '-> RemoteAddress:Port' },
];

export const VERSION_LINE = /^IP Virtual Server version (\d+\.\d+\.\d+) \(size=(\d+)\)$/;

/** True when the line starts an ipvsadm service table (the version line or the first title line). */
export function isListingStart(text: string): boolean {
  const n = normalised(text);
  return VERSION_LINE.test(n) || TITLES.some((t) => t.first === n);
}

const SERVICE_HEAD = /^(TCP|UDP|SCTP|FWM)$/;

/** True when the line reads as a virtual service line of the default column set. */
export function isHeaderlessServiceLine(text: string): boolean {
  const f = fields(text);
  return f.length >= 3 && SERVICE_HEAD.test(f[0]) && SCHEDULER.test(f[f[0] === 'FWM' && f[2] === 'IPv6' ? 3 : 2] ?? '');
}

/**
 * A grep fragment of `ipvsadm -L`: service lines with their destinations and no title. Only a
 * service line with a scheduler (the default and --tun-info sets) is readable without a title:
 * five bare counters could be --stats or --rate, so that is refused.
 */
export function parseHeaderlessListing(lines: NumberedLine[]): IpvsadmListing {
  const firstDest = lines.find((l) => fields(l.text)[0] === '->');
  const width = firstDest ? fields(firstDest.text).length - 2 : 4;
  const variant: IpvsadmListingVariant | null = width === 4 ? 'default' : width === 5 ? 'tun-info' : null;
  if (!variant) throw new ParseError("expected a destination line '-> ADDRESS:PORT Forward [TunnelInfo] Weight ActiveConn InActConn' (no title line tells another column set)", firstDest!.no, firstDest!.text);
  const services: IpvsadmService[] = [];
  for (const line of lines) {
    const f = fields(line.text);
    if (f[0] === '->') {
      const current = services[services.length - 1];
      if (!current) throw new ParseError('expected a virtual service line before the first destination (a fragment without its service cannot be placed)', line.no, line.text);
      current.destinations.push(parseDestination(f.slice(1), variant, line));
    } else {
      services.push(parseService(f, variant, line));
    }
  }
  return { format: 'ipvsadm', variant, version: null, connTableSize: null, services, headerless: true };
}

export function parseListing(lines: NumberedLine[]): IpvsadmListing {
  let i = 0;
  let version: string | null = null;
  let connTableSize: number | null = null;
  const versionMatch = lines[0] ? VERSION_LINE.exec(normalised(lines[0].text)) : null;
  if (versionMatch) {
    version = versionMatch[1];
    connTableSize = Number(versionMatch[2]);
    i = 1;
  }
  const first = lines[i];
  const second = lines[i + 1];
  if (!first) throw new ParseError("expected the title line 'Prot LocalAddress:Port ...'", lines.length > 0 ? lines[lines.length - 1].no : 0);
  const title = TITLES.find((t) => t.first === normalised(first.text) && second !== undefined && t.second === normalised(second.text));
  if (!title) {
    const known = TITLES.some((t) => t.first === normalised(first.text));
    const bad = known && second ? second : first;
    throw new ParseError(known ? "expected the title line '  -> RemoteAddress:Port ...'" : "expected 'IP Virtual Server version ...' or the title line 'Prot LocalAddress:Port ...'", bad.no, bad.text);
  }
  const services: IpvsadmService[] = [];
  for (const line of lines.slice(i + 2)) {
    const f = fields(line.text);
    if (f[0] === '->') {
      const current = services[services.length - 1];
      if (!current) throw new ParseError('expected a virtual service line before the first destination', line.no, line.text);
      current.destinations.push(parseDestination(f.slice(1), title.variant, line));
    } else {
      services.push(parseService(f, title.variant, line));
    }
  }
  return { format: 'ipvsadm', variant: title.variant, version, connTableSize, services };
}

const PROC_HEX_ENDPOINT = /^[0-9A-F]{8}:[0-9A-F]{4}$/;
const SCHEDULER = /^[a-z][a-z0-9_-]*$/;

function parseService(f: string[], variant: IpvsadmListingVariant, line: NumberedLine): IpvsadmService {
  const head = f[0];
  const service: IpvsadmService = {
    protocol: 'FWM', address: null, port: null, fwmark: null, family: null, scheduler: null,
    schedulerFlags: [], persistent: null, persistenceMask: null, persistenceEngine: null, onePacket: false, destinations: [],
  };
  let next: number;
  if (head === 'FWM') {
    const mark = parseFwmark(f[1], line);
    service.fwmark = mark.fwmark;
    if (mark.printedNegative) service.fwmarkPrintedNegative = true;
    service.family = f[2] === 'IPv6' ? 'ipv6' : 'ipv4';
    next = f[2] === 'IPv6' ? 3 : 2;
  } else {
    const protocol = parseProtocol(head);
    if (!protocol || f[1] === undefined) {
      throw new ParseError("expected a virtual service line 'TCP|UDP|SCTP ADDRESS:PORT ...' or 'FWM MARK ...'", line.no, line.text);
    }
    if (PROC_HEX_ENDPOINT.test(f[1])) {
      throw new ParseError('expected ipvsadm output, but the address is hexadecimal as in /proc/net/ip_vs (use the proc-ip-vs parser)', line.no, line.text);
    }
    const bracketed = f[1].startsWith('[');
    const limit = bracketed ? null : SERVICE_COLUMN - Math.max(4, protocol.length) - 1;
    const endpoint = parseEndpoint(f[1], limit, line, 'the virtual service address');
    Object.assign(service, { protocol, address: endpoint.address, port: endpoint.port, family: familyOf(endpoint, bracketed) });
    if (endpoint.truncated) Object.assign(service, { truncated: true, printed: endpoint.printed });
    next = 2;
  }
  const rest = f.slice(next);
  if (variant === 'stats' || variant === 'rate') {
    if (rest.length !== 5) throw new ParseError('expected five counters after the virtual service', line.no, line.text);
    if (variant === 'stats') service.stats = traffic(rest, line);
    else service.rate = rate(rest, line);
    return service;
  }
  parseServiceFlags(rest, service, line);
  return service;
}

/** "rr (sh-port) persistent 300 mask 255.255.255.0 pe sip ops" in print_service_entry's order. */
function parseServiceFlags(rest: string[], service: IpvsadmService, line: NumberedLine): void {
  const scheduler = rest[0];
  if (scheduler === undefined || !SCHEDULER.test(scheduler)) throw new ParseError('expected a scheduler name after the virtual service', line.no, line.text);
  service.scheduler = scheduler;
  let k = 1;
  if (rest[k]?.startsWith('(')) {
    const m = /^\(([a-z0-9,-]+)\)$/.exec(rest[k]);
    if (!m) throw new ParseError("expected scheduler flags as '(flag,flag)'", line.no, line.text);
    service.schedulerFlags = m[1].split(',');
    k += 1;
  }
  if (rest[k] === 'persistent') {
    service.persistent = parseUnsigned(rest[k + 1], line, 'the persistence timeout');
    k += 2;
    if (rest[k] === 'mask') {
      const mask = rest[k + 1];
      if (mask === undefined || !/^(\d+\.\d+\.\d+\.\d+|\d+)$/.test(mask)) throw new ParseError('expected a netmask after "mask"', line.no, line.text);
      service.persistenceMask = mask;
      k += 2;
    }
    if (rest[k] === 'pe') {
      const engine = rest[k + 1];
      if (engine === undefined) throw new ParseError('expected a persistence engine name after "pe"', line.no, line.text);
      service.persistenceEngine = engine;
      k += 2;
    }
  }
  if (rest[k] === 'ops') {
    service.onePacket = true;
    k += 1;
  }
  if (k < rest.length) throw new ParseError(`expected nothing more after the service flags, found '${rest[k]}'`, line.no, line.text);
}

type ColumnReader = (dest: IpvsadmDestination, text: string | undefined, line: NumberedLine) => void;

const forwardCol: ColumnReader = (d, t, l) => { d.forward = parseForward(t, l); };
const weightCol: ColumnReader = (d, t, l) => { d.weight = parseUnsigned(t, l, 'the weight'); };
const activeCol: ColumnReader = (d, t, l) => { d.activeConns = parseUnsigned(t, l, 'ActiveConn'); };
const inactiveCol: ColumnReader = (d, t, l) => { d.inactiveConns = parseUnsigned(t, l, 'InActConn'); };

/** The columns after "-> ADDRESS:PORT" in each column set, in print_service_entry's order. */
const DESTINATION_COLUMNS: Record<IpvsadmListingVariant, { title: string; read: ColumnReader[] }> = {
  default: { title: 'Forward Weight ActiveConn InActConn', read: [forwardCol, weightCol, activeCol, inactiveCol] },
  'tun-info': {
    title: 'Forward TunnelInfo Weight ActiveConn InActConn',
    read: [forwardCol, (d, t, l) => { d.tunnelInfo = parseTunnelInfo(t, l); }, weightCol, activeCol, inactiveCol],
  },
  'persistent-conn': {
    title: 'Weight PersistConn ActiveConn InActConn',
    read: [weightCol, (d, t, l) => { d.persistConns = parseUnsigned(t, l, 'PersistConn'); }, activeCol, inactiveCol],
  },
  thresholds: {
    title: 'Uthreshold Lthreshold ActiveConn InActConn',
    read: [
      (d, t, l) => { d.upperThreshold = parseUnsigned(t, l, 'Uthreshold'); },
      (d, t, l) => { d.lowerThreshold = parseUnsigned(t, l, 'Lthreshold'); },
      activeCol,
      inactiveCol,
    ],
  },
  stats: { title: 'Conns InPkts OutPkts InBytes OutBytes', read: [] },
  rate: { title: 'CPS InPPS OutPPS InBPS OutBPS', read: [] },
};

function parseDestination(f: string[], variant: IpvsadmListingVariant, line: NumberedLine): IpvsadmDestination {
  if (f[0] === undefined) throw new ParseError('expected a destination after "->"', line.no, line.text);
  const limit = f[0].startsWith('[') ? null : DESTINATION_COLUMN;
  const endpoint = parseEndpoint(f[0], limit, line, 'the destination address');
  const cols = f.slice(1);
  const dest: IpvsadmDestination = { ...endpoint, forward: null, weight: null, activeConns: null, inactiveConns: null };
  const spec = DESTINATION_COLUMNS[variant];
  const count = variant === 'stats' || variant === 'rate' ? 5 : spec.read.length;
  if (cols.length !== count) throw new ParseError(`expected ${count} columns after the destination (${spec.title})`, line.no, line.text);
  if (variant === 'stats') dest.stats = traffic(cols, line);
  else if (variant === 'rate') dest.rate = rate(cols, line);
  else spec.read.forEach((read, i) => read(dest, cols[i], line));
  return dest;
}

function parseTunnelInfo(text: string | undefined, line: NumberedLine): string | null {
  if (text === 'n/a') return null;
  if (text !== undefined && /^(ipip|gue:\d+:(-c|\+c|r\+c)|gre:(-c|\+c|r\+c))$/.test(text)) return text;
  throw new ParseError("expected tunnel info 'n/a', 'ipip', 'gue:PORT:FLAGS' or 'gre:FLAGS'", line.no, line.text);
}

function traffic(c: string[], line: NumberedLine): IpvsTraffic {
  return {
    conns: parseCounter(c[0], line, 'Conns'),
    inPkts: parseCounter(c[1], line, 'InPkts'),
    outPkts: parseCounter(c[2], line, 'OutPkts'),
    inBytes: parseCounter(c[3], line, 'InBytes'),
    outBytes: parseCounter(c[4], line, 'OutBytes'),
  };
}

function rate(c: string[], line: NumberedLine): IpvsRate {
  return {
    cps: parseCounter(c[0], line, 'CPS'),
    inPps: parseCounter(c[1], line, 'InPPS'),
    outPps: parseCounter(c[2], line, 'OutPPS'),
    inBps: parseCounter(c[3], line, 'InBPS'),
    outBps: parseCounter(c[4], line, 'OutBPS'),
  };
}
