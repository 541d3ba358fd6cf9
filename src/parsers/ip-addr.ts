// `ip -o addr` (also `-4`/`-6`, `show dev X`): one address per line,
// `IDX: IFNAME    inet ADDR/LEN [peer P] [brd B] scope S [flags] LABEL\       valid_lft X preferred_lft Y`.
import { ParseError } from '../model/parse-error.js';
import { contentLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export interface IpAddress {
  ifindex: number;
  ifname: string;
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
  peer: string | null;
  broadcast: string | null;
  scope: string | null;
  /** IPv4 only: the label (ifname or ifname:alias). */
  label: string | null;
  secondary: boolean;
  /** secondary, dynamic, noprefixroute, nodad, tentative, deprecated, temporary, mngtmpaddr ... */
  flags: string[];
  metric: number | null;
  /** 'forever' or seconds. */
  validLft: number | 'forever';
  preferredLft: number | 'forever';
  line: number;
}

export interface IpAddrResult {
  format: 'ip-addr';
  addresses: IpAddress[];
}

const addressFlags = new Set([
  'secondary', 'temporary', 'dynamic', 'noprefixroute', 'nodad', 'optimistic', 'home', 'mngtmpaddr', 'tentative',
  'deprecated', 'dadfailed', 'permanent', 'autojoin', 'stable-privacy', 'primary',
]);

function cidr(value: string | undefined, what: string, line: NumberedLine): { address: string; prefix: number } {
  const m = value === undefined ? null : /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (m && isIP(m[1])) return { address: m[1], prefix: Number(m[2]) };
  if (value !== undefined && isIP(value)) return { address: value, prefix: value.includes(':') ? 128 : 32 };
  throw new ParseError(`expected ${what} (ADDRESS/PREFIX)`, line.no, line.text);
}

function lifetime(value: string, line: NumberedLine): number | 'forever' {
  if (value === 'forever') return value;
  const m = /^(\d+)sec$/.exec(value);
  if (!m) throw new ParseError("expected a lifetime ('forever' or 'Nsec')", line.no, line.text);
  return Number(m[1]);
}

function parseAddressLine(line: NumberedLine): IpAddress {
  const m = /^(\d+):\s+(\S+?)\s+(inet6?)\s+(.*?)\\\s*valid_lft\s+(\S+)\s+preferred_lft\s+(\S+)\s*$/.exec(line.text);
  if (!m) throw new ParseError("expected an 'ip -o addr' line 'IDX: IF inet|inet6 ADDR ... \\ valid_lft X preferred_lft Y'", line.no, line.text);
  const family = m[3] as 'inet' | 'inet6';
  const tokens = m[4].trim().split(/\s+/);
  const { address, prefix } = cidr(tokens[0], 'an address', line);
  const entry: IpAddress = {
    ifindex: Number(m[1]), ifname: m[2], family, address, prefix, peer: null, broadcast: null, scope: null, label: null,
    secondary: false, flags: [], metric: null, validLft: lifetime(m[5], line), preferredLft: lifetime(m[6], line), line: line.no,
  };
  let end = tokens.length;
  // iproute2 always ends an IPv4 entry with its label; IPv6 entries have none.
  if (family === 'inet') {
    if (end < 2) throw new ParseError('expected a label at the end of an inet entry', line.no, line.text);
    entry.label = tokens[--end];
  }
  for (let i = 1; i < end; i++) {
    const key = tokens[i];
    const value = tokens[i + 1];
    if (key === 'peer') { entry.peer = cidr(value, 'a peer', line).address; i++; }
    else if (key === 'brd') {
      if (value === undefined || !isIP(value)) throw new ParseError('expected a broadcast address after brd', line.no, line.text);
      entry.broadcast = value; i++;
    } else if (key === 'scope') {
      if (value === undefined) throw new ParseError('expected a scope', line.no, line.text);
      entry.scope = value; i++;
    } else if (key === 'metric') {
      if (value === undefined || !/^\d+$/.test(value)) throw new ParseError('expected a metric', line.no, line.text);
      entry.metric = Number(value); i++;
    } else if (addressFlags.has(key)) entry.flags.push(key);
    else throw new ParseError(`unknown address attribute '${key}'`, line.no, line.text);
  }
  entry.secondary = entry.flags.includes('secondary');
  return entry;
}

const BLOCK_HEADER = /^(\d+):\s+([^:\s@]+)(?:@[^:\s]+)?:\s+<[^>]*>/;

/**
 * `ip addr` without -o, as people paste it: an interface header, then its link line, each
 * address on its own line with the lifetimes on the next. Each address is read as the -o line
 * iproute2 would have printed for it, so both forms give the same result.
 */
function parseBlocks(lines: NumberedLine[]): IpAddress[] {
  const out: IpAddress[] = [];
  let iface: { index: string; name: string } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.text.trim();
    const header = BLOCK_HEADER.exec(line.text);
    if (header) {
      iface = { index: header[1], name: header[2] };
      continue;
    }
    if (!iface) throw new ParseError("expected an interface line 'IDX: NAME: <FLAGS> ...'", line.no, line.text);
    if (/^link\//.test(t) || /^altname \S+$/.test(t)) continue;
    if (/^inet6? /.test(t)) {
      const next = lines[i + 1];
      const lifetimes = next?.text.trim();
      if (!next || !/^valid_lft \S+ preferred_lft \S+$/.test(lifetimes ?? '')) {
        throw new ParseError("expected 'valid_lft X preferred_lft Y' on the line after the address", next?.no ?? line.no, next?.text ?? line.text);
      }
      const entry = parseAddressLine({ no: line.no, text: `${iface.index}: ${iface.name}    ${t}\\       ${lifetimes}` });
      out.push(entry);
      i += 1;
      continue;
    }
    throw new ParseError("expected an 'inet'/'inet6' address line, a link/ line or the next interface", line.no, line.text);
  }
  return out;
}

export function parseIpAddr(text: string): IpAddrResult {
  const lines = contentLines(text);
  if (lines[0] && BLOCK_HEADER.test(lines[0].text)) return { format: 'ip-addr', addresses: parseBlocks(lines) };
  return { format: 'ip-addr', addresses: lines.map(parseAddressLine) };
}

export const ipAddrParser: TextParser<IpAddrResult> = {
  id: 'ip-addr',
  description: 'ip -o addr [show] (also -4 / -6): one address per line; also ip addr without -o, as pasted',
  kind: 'text',
  parse: parseIpAddr,
};
