// `ip route show` / `ip -6 route` / `ip route show table all|local|N` (iproute2). One route per
// line; multipath routes continue on tab-indented `nexthop` lines, cached routes on `cache` lines.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export const routeTypes = [
  'unicast', 'local', 'broadcast', 'multicast', 'anycast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat',
] as const;
export type RouteType = (typeof routeTypes)[number];

export interface Nexthop {
  via: string | null;
  dev: string | null;
  weight: number | null;
  flags: string[];
}

/** The attributes iproute2 prints after a route's destination (shared with `ip route get`). */
export interface RouteAttributes {
  via: string | null;
  dev: string | null;
  proto: string | null;
  scope: string | null;
  src: string | null;
  metric: number | null;
  table: string | null;
  pref: string | null;
  /** Source prefix of a (v6) source-specific route, or the `from` of `ip route get`. */
  from: string | null;
  tos: string | null;
  mtu: number | null;
  /** `error -113` on IPv6 unreachable routes. */
  errorCode: number | null;
  /** Seconds left, from `expires 299sec`. */
  expiresSeconds: number | null;
  iif: string | null;
  oif: string | null;
  uid: number | null;
  mark: string | null;
  /** onlink, linkdown, dead, pervasive, offload, trap, notify, rt_offload, rt_trap ... */
  flags: string[];
  /** Any other `key value` metric iproute2 printed (advmss, initcwnd, hoplimit, realms, nhid ...). */
  other: Record<string, string>;
}

export interface IpRoute extends RouteAttributes {
  type: RouteType;
  /** 'default', a CIDR, or a bare address for host routes exactly as printed. */
  destination: string;
  family: 'inet' | 'inet6';
  onlink: boolean;
  linkdown: boolean;
  nexthops: Nexthop[];
  /** Present on routes listed with `cached`: `cache <redirected> expires 291sec`. */
  cache: { flags: string[] } | null;
  line: number;
}

export interface IpRouteResult {
  format: 'ip-route';
  routes: IpRoute[];
}

const standaloneFlags = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'offload', 'trap', 'notify', 'rt_offload', 'rt_trap', 'rt_offload_failed', 'unresolved']);
// Keys whose single value goes to `other`, kept verbatim.
const otherKeys = new Set([
  'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'ssthresh', 'hoplimit', 'quickack',
  'features', 'congctl', 'fastopen_no_cookie', 'realm', 'realms', 'nhid', 'rto_min', 'ttl-propagate', 'used', 'age',
  'users', 'ipproto', 'sport', 'dport', 'dsfield', 'label',
]);

export function emptyAttributes(): RouteAttributes {
  return {
    via: null, dev: null, proto: null, scope: null, src: null, metric: null, table: null, pref: null, from: null, tos: null,
    mtu: null, errorCode: null, expiresSeconds: null, iif: null, oif: null, uid: null, mark: null, flags: [], other: {},
  };
}

function address(value: string | undefined, what: string, line: NumberedLine): string {
  if (value === undefined || !isIP(value)) throw new ParseError(`expected ${what} (an address)`, line.no, line.text);
  return value;
}

function prefixOrAddress(value: string | undefined, what: string, line: NumberedLine): string {
  if (value === undefined) throw new ParseError(`expected ${what}`, line.no, line.text);
  if (value === 'default') return value;
  const [addr, len, extra] = value.split('/');
  if (extra !== undefined || !isIP(addr) || (len !== undefined && !/^\d{1,3}$/.test(len))) {
    throw new ParseError(`expected ${what} (default, an address or a prefix)`, line.no, line.text);
  }
  return value;
}

function int(value: string | undefined, what: string, line: NumberedLine): number {
  if (value === undefined || !/^-?\d+$/.test(value)) throw new ParseError(`expected ${what} (an integer)`, line.no, line.text);
  return Number(value);
}

function word(value: string | undefined, what: string, line: NumberedLine): string {
  if (value === undefined) throw new ParseError(`expected ${what} after the keyword`, line.no, line.text);
  return value;
}

/**
 * Reads `key value` attributes and bare flags from tokens[start..]. Unknown keywords are a
 * ParseError, so a new iproute2 attribute is noticed rather than silently mis-assigned.
 */
export function parseRouteAttributes(tokens: string[], start: number, line: NumberedLine, into: RouteAttributes = emptyAttributes()): RouteAttributes {
  const a = into;
  for (let i = start; i < tokens.length; i++) {
    const key = tokens[i];
    const next = (): string | undefined => tokens[++i];
    switch (key) {
      case 'via': {
        let v = next();
        if (v === 'inet' || v === 'inet6') v = next();
        a.via = address(v, 'a gateway after via', line);
        break;
      }
      case 'dev': a.dev = word(next(), 'a device', line); break;
      case 'proto': a.proto = word(next(), 'a protocol', line); break;
      case 'scope': a.scope = word(next(), 'a scope', line); break;
      case 'src': a.src = address(next(), 'a source address after src', line); break;
      case 'metric': a.metric = int(next(), 'a metric', line); break;
      case 'table': a.table = word(next(), 'a table', line); break;
      case 'pref': a.pref = word(next(), 'a preference', line); break;
      case 'from': a.from = prefixOrAddress(next(), 'a source after from', line); break;
      case 'tos': a.tos = word(next(), 'a TOS value', line); break;
      case 'mtu': {
        let v = next();
        if (v === 'lock') v = next();
        a.mtu = int(v, 'an MTU', line);
        break;
      }
      case 'error': a.errorCode = int(next(), 'an error code', line); break;
      case 'expires': {
        const v = word(next(), 'an expiry', line);
        const m = /^(-?\d+)sec$/.exec(v);
        if (!m) throw new ParseError("expected an expiry like '299sec'", line.no, line.text);
        a.expiresSeconds = Number(m[1]);
        break;
      }
      case 'iif': a.iif = word(next(), 'an input interface', line); break;
      case 'oif': a.oif = word(next(), 'an output interface', line); break;
      case 'uid': a.uid = int(next(), 'a uid', line); break;
      case 'mark': a.mark = word(next(), 'a mark', line); break;
      default:
        if (standaloneFlags.has(key)) a.flags.push(key);
        else if (otherKeys.has(key)) a.other[key] = word(next(), `a value for ${key}`, line);
        else throw new ParseError(`unknown route attribute '${key}'`, line.no, line.text);
    }
  }
  return a;
}

/** Splits `cache <redirected,local> expires 294sec iif eth0` into its flags and attributes. */
export function parseCacheLine(line: NumberedLine, into: RouteAttributes): string[] {
  const tokens = line.text.trim().split(/\s+/);
  if (tokens[0] !== 'cache') throw new ParseError("expected a 'cache' line", line.no, line.text);
  let start = 1;
  let flags: string[] = [];
  const bracket = tokens[1] !== undefined ? /^<([^<>]*)>$/.exec(tokens[1]) : null;
  if (bracket) {
    flags = bracket[1] === '' ? [] : bracket[1].split(',');
    start = 2;
  }
  parseRouteAttributes(tokens, start, line, into);
  return flags;
}

function parseNexthop(line: NumberedLine): Nexthop {
  const tokens = line.text.trim().split(/\s+/);
  const hop: Nexthop = { via: null, dev: null, weight: null, flags: [] };
  for (let i = 1; i < tokens.length; i++) {
    const key = tokens[i];
    if (key === 'via') {
      let v = tokens[++i];
      if (v === 'inet' || v === 'inet6') v = tokens[++i];
      hop.via = address(v, 'a gateway after via', line);
    } else if (key === 'dev') hop.dev = word(tokens[++i], 'a device', line);
    else if (key === 'weight') hop.weight = int(tokens[++i], 'a weight', line);
    else if (standaloneFlags.has(key)) hop.flags.push(key);
    else throw new ParseError(`unknown nexthop attribute '${key}'`, line.no, line.text);
  }
  return hop;
}

function familyOf(destination: string, attrs: RouteAttributes): 'inet' | 'inet6' {
  const probe = destination === 'default' ? (attrs.via ?? attrs.src ?? '') : destination;
  return probe.includes(':') || attrs.pref !== null ? 'inet6' : 'inet';
}

/** Parses one route line (type, destination, attributes). */
export function parseRouteLine(line: NumberedLine): IpRoute {
  const tokens = line.text.trim().split(/\s+/);
  let i = 0;
  let type: RouteType = 'unicast';
  if ((routeTypes as readonly string[]).includes(tokens[0])) {
    type = tokens[0] as RouteType;
    i = 1;
  }
  const destination = prefixOrAddress(tokens[i], 'a route destination', line);
  const attrs = parseRouteAttributes(tokens, i + 1, line);
  return {
    type, destination, family: familyOf(destination, attrs), ...attrs,
    onlink: attrs.flags.includes('onlink'), linkdown: attrs.flags.includes('linkdown'),
    nexthops: [], cache: null, line: line.no,
  };
}

export function parseIpRoute(text: string): IpRouteResult {
  const routes: IpRoute[] = [];
  for (const line of numberedLines(text)) {
    if (line.text.trim() === '') continue;
    const last = routes[routes.length - 1];
    if (/^\s/.test(line.text)) {
      const first = line.text.trim().split(/\s+/)[0];
      if (last === undefined) throw new ParseError('expected a route before this continuation line', line.no, line.text);
      if (first === 'nexthop') {
        last.nexthops.push(parseNexthop(line));
        continue;
      }
      if (first === 'cache') {
        last.cache = { flags: parseCacheLine(line, last) };
        continue;
      }
      throw new ParseError("expected a 'nexthop' or 'cache' continuation line", line.no, line.text);
    }
    routes.push(parseRouteLine(line));
  }
  return { format: 'ip-route', routes };
}

export const ipRouteParser: TextParser<IpRouteResult> = {
  id: 'ip-route',
  description: 'ip route show / ip -6 route (any table, also `cached`)',
  kind: 'text',
  parse: parseIpRoute,
};
