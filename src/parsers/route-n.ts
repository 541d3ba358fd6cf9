// net-tools `route -n` (and `route` with names, `route -n -A inet6`). The table layout is shared
// with `netstat -rn` (netstat-rn.ts), which differs only in its middle columns. Titles and the
// first header words are translated by the locale (de: "Kernel-IP-Routentabelle", "Ziel Router"),
// so the header is recognised by its untranslated tail columns.
import { ParseError } from '../model/parse-error.js';
import { contentLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export type NetToolsLayout = 'route' | 'netstat';

export interface NetToolsRoute {
  /** As printed: an address, 'default', a host name (without -n), or an IPv6 prefix. */
  destination: string;
  isDefault: boolean;
  /** null when no gateway (0.0.0.0, '*', '::', or '-' on reject routes). */
  gateway: string | null;
  genmask: string | null;
  /** From the genmask (IPv4) or the destination's /len (IPv6); null if the mask is not contiguous. */
  prefix: number | null;
  /** The flag letters as printed: U, G, H, R, D, M, A, C, !, n ... */
  flags: string;
  up: boolean;
  viaGateway: boolean;
  hostRoute: boolean;
  /** '!': an unreachable/prohibit route. */
  reject: boolean;
  metric: number | null;
  ref: number | null;
  use: number | null;
  mss: number | null;
  window: number | null;
  irtt: number | null;
  /** null when printed as '-'. A blackhole route shows '*'. */
  iface: string | null;
  line: number;
}

export interface NetToolsRouteTable {
  family: 'inet' | 'inet6';
  /** The title line as printed (translated by the locale); null when the paste starts at the column header. */
  title: string | null;
  routes: NetToolsRoute[];
}

const noGateway = new Set(['0.0.0.0', '*', '::', '-']);

function optionalInt(value: string, what: string, line: NumberedLine): number | null {
  if (value === '-') return null;
  if (!/^-?\d+$/.test(value)) throw new ParseError(`expected ${what} (an integer or '-')`, line.no, line.text);
  return Number(value);
}

function maskToPrefix(mask: string): number | null {
  if (!isIP(mask) || mask.includes(':')) return null;
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : null;
}

function classify(header: NumberedLine): { family: 'inet' | 'inet6'; layout: NetToolsLayout | 'both' } {
  const t = header.text.trim().split(/\s+/);
  const tail = t.slice(-4).join(' ');
  if (t.length === 8 && tail === 'Metric Ref Use Iface') return { family: 'inet', layout: 'route' };
  if (t.length === 8 && t[4] === 'MSS' && t[6] === 'irtt' && t[7] === 'Iface') return { family: 'inet', layout: 'netstat' };
  if (tail === 'Met Ref Use If') return { family: 'inet6', layout: 'both' };
  throw new ParseError("expected a routing table header ending in 'Metric Ref Use Iface', 'MSS Window irtt Iface' or 'Met Ref Use If'", header.no, header.text);
}

function isHeader(line: NumberedLine): boolean {
  try {
    classify(line);
    return true;
  } catch {
    return false;
  }
}

function flagFields(flags: string): Pick<NetToolsRoute, 'up' | 'viaGateway' | 'hostRoute' | 'reject'> {
  return { up: flags.includes('U'), viaGateway: flags.includes('G'), hostRoute: flags.includes('H'), reject: flags.includes('!') };
}

function parseInetRow(line: NumberedLine, layout: NetToolsLayout): NetToolsRoute {
  const f = line.text.trim().split(/\s+/);
  if (f.length !== 8) throw new ParseError('expected 8 columns in a routing table row', line.no, line.text);
  const [destination, gateway, genmask, flags] = f;
  if (!/^[A-Za-z!]+$/.test(flags)) throw new ParseError('expected route flags (letters or !)', line.no, line.text);
  if (!isIP(genmask)) throw new ParseError('expected a Genmask (an IPv4 mask)', line.no, line.text);
  const prefix = maskToPrefix(genmask);
  const route: NetToolsRoute = {
    destination, isDefault: destination === 'default' || (destination === '0.0.0.0' && prefix === 0),
    gateway: noGateway.has(gateway) ? null : gateway, genmask, prefix, flags, ...flagFields(flags),
    metric: null, ref: null, use: null, mss: null, window: null, irtt: null, iface: f[7] === '-' ? null : f[7], line: line.no,
  };
  if (layout === 'route') {
    route.metric = optionalInt(f[4], 'a metric', line);
    route.ref = optionalInt(f[5], 'a Ref count', line);
    route.use = optionalInt(f[6], 'a Use count', line);
  } else {
    route.mss = optionalInt(f[4], 'an MSS', line);
    route.window = optionalInt(f[5], 'a window', line);
    route.irtt = optionalInt(f[6], 'an irtt', line);
  }
  return route;
}

function parseInet6Row(line: NumberedLine): NetToolsRoute {
  const f = line.text.trim().split(/\s+/);
  if (f.length !== 7) throw new ParseError('expected 7 columns in an IPv6 routing table row', line.no, line.text);
  const [destination, nextHop, flags] = f;
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(destination);
  if (!m || !isIP(m[1])) throw new ParseError('expected an IPv6 destination prefix', line.no, line.text);
  if (!isIP(nextHop)) throw new ParseError('expected a next hop address', line.no, line.text);
  if (!/^[A-Za-z!]+$/.test(flags)) throw new ParseError('expected route flags', line.no, line.text);
  const prefix = Number(m[2]);
  return {
    destination, isDefault: prefix === 0 && !flags.includes('!'), gateway: noGateway.has(nextHop) ? null : nextHop, genmask: null, prefix,
    flags, ...flagFields(flags), metric: optionalInt(f[3], 'a metric', line), ref: optionalInt(f[4], 'a Ref count', line),
    use: optionalInt(f[5], 'a Use count', line), mss: null, window: null, irtt: null, iface: f[6] === '-' ? null : f[6], line: line.no,
  };
}

/** Parses a net-tools routing table in the given layout (IPv6 tables are the same for both). */
export function parseNetToolsRoutes(text: string, layout: NetToolsLayout): NetToolsRouteTable {
  const lines = contentLines(text);
  if (lines[0] === undefined) throw new ParseError('expected a routing table, got no output', 0);
  // Pastes often start at the column header, the "Kernel IP routing table" title cut off.
  const titled = !isHeader(lines[0]);
  const title = titled ? lines[0] : undefined;
  const header: NumberedLine | undefined = titled ? lines[1] : lines[0];
  const rows = lines.slice(titled ? 2 : 1);
  // The title is free text in the user's language; the header below is what is checked.
  if (header === undefined) throw new ParseError('expected the column header after the title', title!.no, title!.text);
  const kind = classify(header);
  if (kind.layout !== 'both' && kind.layout !== layout) {
    throw new ParseError(`expected the ${layout === 'route' ? "'route -n'" : "'netstat -rn'"} columns, got the other tool's`, header.no, header.text);
  }
  const routes = rows.map((row) => (kind.family === 'inet' ? parseInetRow(row, layout) : parseInet6Row(row)));
  return { family: kind.family, title: title ? title.text.trim() : null, routes };
}

export interface RouteNResult extends NetToolsRouteTable {
  format: 'route-n';
}

export const routeNParser: TextParser<RouteNResult> = {
  id: 'route-n',
  description: 'net-tools route -n (also route without -n, route -n -A inet6; localized headers)',
  kind: 'text',
  parse: (text) => ({ format: 'route-n', ...parseNetToolsRoutes(text, 'route') }),
};
