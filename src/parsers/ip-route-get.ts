// `ip route get ADDR [from SRC] [iif DEV] [mark M]`: the route the kernel would use, with its
// cache line. A refusal ("RTNETLINK answers: Network is unreachable") is a typed result, because
// "no route" is exactly what a check wants to know. Several concatenated outputs are allowed.
import { ParseError } from '../model/parse-error.js';
import { numberedLines } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { parseCacheLine, parseRouteLine, type IpRoute, type RouteAttributes, type RouteType } from './ip-route.js';

/**
 * What the kernel refused with. On Linux an `unreachable` route answers no-route-to-host,
 * `prohibit` permission-denied, `blackhole` invalid-argument; no matching route at all answers
 * network-unreachable.
 */
export type RouteGetError = 'network-unreachable' | 'no-route-to-host' | 'permission-denied' | 'invalid-argument' | 'other';

export interface RouteGetAnswer extends RouteAttributes {
  type: RouteType | null;
  destination: string | null;
  /** True when the cache line carries `<redirected>`: an ICMP redirect changed this route. */
  redirected: boolean;
  /** Flags of the cache line, e.g. ['redirected'], ['local'], ['local', 'brd'], ['redirect']. */
  cacheFlags: string[];
  /** Whether a `cache` line followed. */
  cache: boolean;
  error: RouteGetError | null;
  errorMessage: string | null;
  line: number;
}

export interface IpRouteGetResult {
  format: 'ip-route-get';
  results: RouteGetAnswer[];
}

const errorKinds: Record<string, RouteGetError> = {
  'Network is unreachable': 'network-unreachable',
  'No route to host': 'no-route-to-host',
  'Permission denied': 'permission-denied',
  'Invalid argument': 'invalid-argument',
};

function fromRoute(route: IpRoute): RouteGetAnswer {
  const { family: _family, onlink: _onlink, linkdown: _linkdown, nexthops: _nexthops, cache: _cache, ...rest } = route;
  return { ...rest, redirected: false, cacheFlags: [], cache: false, error: null, errorMessage: null };
}

function refusal(message: string, kind: RouteGetError, no: number): RouteGetAnswer {
  return {
    type: null, destination: null, via: null, dev: null, proto: null, scope: null, src: null, metric: null, table: null,
    pref: null, from: null, tos: null, mtu: null, errorCode: null, expiresSeconds: null, iif: null, oif: null, uid: null,
    mark: null, flags: [], other: {}, redirected: false, cacheFlags: [], cache: false, error: kind, errorMessage: message, line: no,
  };
}

export function parseIpRouteGet(text: string): IpRouteGetResult {
  const results: RouteGetAnswer[] = [];
  for (const line of numberedLines(text)) {
    if (line.text.trim() === '') continue;
    const refused = /^RTNETLINK answers: (.+?)\s*$/.exec(line.text);
    if (refused) {
      results.push(refusal(refused[1], errorKinds[refused[1]] ?? 'other', line.no));
      continue;
    }
    if (/^Error: /.test(line.text)) {
      results.push(refusal(line.text.slice('Error: '.length).trim(), 'other', line.no));
      continue;
    }
    if (/^\s/.test(line.text)) {
      const last = results[results.length - 1];
      if (last === undefined || last.error !== null || last.cache) {
        throw new ParseError("expected a route line before this 'cache' line", line.no, line.text);
      }
      last.cacheFlags = parseCacheLine(line, last);
      last.cache = true;
      last.redirected = last.cacheFlags.includes('redirected');
      continue;
    }
    results.push(fromRoute(parseRouteLine(line)));
  }
  if (results.length === 0) throw new ParseError('expected a route or an RTNETLINK error, got no output', 0);
  return { format: 'ip-route-get', results };
}

export const ipRouteGetParser: TextParser<IpRouteGetResult> = {
  id: 'ip-route-get',
  description: 'ip route get ADDR [from SRC] [iif DEV] (routes, cache <redirected> expires, RTNETLINK refusals)',
  kind: 'text',
  parse: parseIpRouteGet,
};
