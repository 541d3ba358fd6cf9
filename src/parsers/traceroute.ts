// `traceroute` (Linux "modern" traceroute, BusyBox): the header, then one line per TTL with one
// result per probe: `ADDR  RTT ms [!MARKER]`, `*` for no answer, and a new address whenever a
// later probe of the same TTL was answered by another router.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export interface TracerouteProbe {
  /** null for a probe that timed out (`*`). */
  address: string | null;
  /** The host name when printed without -n: `name (address)`. */
  name: string | null;
  rttMs: number | null;
  /** '!H', '!N', '!P', '!S', '!F', '!X', '!V', '!C', '!A', '!F-1500', '!<10>' ... as printed, or null. */
  marker: string | null;
}

export interface TracerouteHop {
  ttl: number;
  probes: TracerouteProbe[];
  line: number;
}

export interface TracerouteResult {
  format: 'traceroute';
  target: string;
  targetAddress: string;
  maxHops: number;
  packetBytes: number;
  hops: TracerouteHop[];
  /** traceroute printed an error instead of (or after) hops, e.g. `connect: Network is unreachable`. */
  error: { kind: 'network-unreachable' | 'no-route-to-host' | 'permission-denied' | 'other'; message: string; line: number } | null;
}

const header = /^traceroute(?:6)? to (\S+) \(([^)]+)\)(?: from (\S+))?, (\d+) hops max, (\d+) byte packets$/;
const markerToken = /^!(?:[A-Z]|[A-Z]-\d+|<\d+>|\d+)?$/;
const rttToken = /^\d+(?:\.\d+)?$/;

function parseHop(line: NumberedLine): TracerouteHop {
  const m = /^\s*(\d+)\s+(.*)$/.exec(line.text);
  if (!m) throw new ParseError("expected a hop line 'TTL  ADDRESS  RTT ms ...'", line.no, line.text);
  const tokens = m[2].trim().split(/\s+/);
  const probes: TracerouteProbe[] = [];
  let address: string | null = null;
  let name: string | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === '*') {
      probes.push({ address: null, name: null, rttMs: null, marker: null });
      continue;
    }
    if (rttToken.test(tok)) {
      if (tokens[i + 1] !== 'ms') throw new ParseError("expected 'ms' after a round-trip time", line.no, line.text);
      if (address === null) throw new ParseError('expected an address before a round-trip time', line.no, line.text);
      i++;
      const probe: TracerouteProbe = { address, name, rttMs: Number(tok), marker: null };
      if (tokens[i + 1] !== undefined && markerToken.test(tokens[i + 1])) probe.marker = tokens[++i];
      probes.push(probe);
      continue;
    }
    // Without -n: `name (address)`, where the name may itself be the address.
    const paren = tokens[i + 1] !== undefined ? /^\(([^()]+)\)$/.exec(tokens[i + 1]) : null;
    if (paren && isIP(paren[1])) {
      name = tok;
      address = paren[1];
      i++;
      continue;
    }
    if (isIP(tok)) {
      address = tok;
      name = null;
      continue;
    }
    throw new ParseError(`expected an address, '*' or 'RTT ms' but found '${tok}'`, line.no, line.text);
  }
  if (probes.length === 0) throw new ParseError('expected at least one probe result on a hop line', line.no, line.text);
  return { ttl: Number(m[1]), probes, line: line.no };
}

export function parseTraceroute(text: string): TracerouteResult {
  const lines = numberedLines(text).filter((l) => l.text.trim() !== '');
  const first = lines[0];
  if (first === undefined) throw new ParseError('expected traceroute output, got none', 0);
  const h = header.exec(first.text.trim());
  if (!h) throw new ParseError("expected the header 'traceroute to HOST (ADDRESS), N hops max, M byte packets'", first.no, first.text);
  const result: TracerouteResult = {
    format: 'traceroute', target: h[1], targetAddress: h[2], maxHops: Number(h[4]), packetBytes: Number(h[5]), hops: [], error: null,
  };
  for (const line of lines.slice(1)) {
    const err = /^(?:traceroute: )?(?:connect|send|sendto|bind|setsockopt)(?:\(\))?: (.+)$/.exec(line.text.trim());
    if (err) {
      if (result.error !== null) throw new ParseError('expected one error line only', line.no, line.text);
      const message = err[1];
      const kind = /Network is unreachable/.test(message) ? 'network-unreachable'
        : /No route to host/.test(message) ? 'no-route-to-host'
          : /(Permission denied|Operation not permitted)/.test(message) ? 'permission-denied' : 'other';
      result.error = { kind, message: line.text.trim(), line: line.no };
      continue;
    }
    const hop = parseHop(line);
    const prev = result.hops[result.hops.length - 1];
    if (prev !== undefined && hop.ttl <= prev.ttl) throw new ParseError(`expected TTL above ${prev.ttl}`, line.no, line.text);
    result.hops.push(hop);
  }
  return result;
}

export const tracerouteParser: TextParser<TracerouteResult> = {
  id: 'traceroute',
  description: 'traceroute [-n] (Linux traceroute 2.x, BusyBox): hops, *, !H/!N/!X markers, several probes per hop',
  kind: 'text',
  parse: parseTraceroute,
};
