// ldirectord.cf: global `key=value` directives, then `virtual=` (or virtual6=) sections whose
// indented lines belong to that virtual service. Every non-comment line must be `key = value`;
// the keys lvs-doctor interprets (virtual, real, fallback, scheduler, protocol, persistent)
// have their values checked, the others are kept verbatim.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface LdirectordEndpoint {
  /** An IP address or a host name, as written (IPv6 without brackets). */
  address: string;
  /** Last address of a `first->last` range, else null. */
  addressLast: string | null;
  /** A number, a service name ("http"), or null when omitted. */
  port: number | string | null;
}

export interface LdirectordReal extends LdirectordEndpoint {
  line: number;
  /** gate, masq or ipip; null when omitted (ldirectord then uses its default, gate). */
  method: 'gate' | 'masq' | 'ipip' | null;
  weight: number | null;
}

export interface LdirectordVirtual {
  line: number;
  ipv6: boolean;
  /** null for a fwmark service (`virtual=1`). */
  endpoint: LdirectordEndpoint | null;
  fwmark: number | null;
  protocol: string | null;
  scheduler: string | null;
  persistent: number | null;
  fallback: LdirectordReal | null;
  reals: LdirectordReal[];
  /** Every other directive of the section, key -> raw value (the last one wins, as in ldirectord). */
  options: Record<string, string>;
}

export interface LdirectordConf {
  format: 'ldirectord';
  globals: Record<string, string>;
  /** Global fallback (`fallback=` before any virtual section). */
  fallback: LdirectordReal | null;
  virtuals: LdirectordVirtual[];
}

/** "1.2.3.4:80", "host:http", "[2001:db8::1]:80", "a->b:80", "1.2.3.4" (port omitted). */
function endpoint(text: string, line: NumberedLine): LdirectordEndpoint {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]]+))(?:->(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]]+)))?(?::([A-Za-z0-9_-]+))?$/.exec(text);
  if (!m) throw new ParseError('expected ADDRESS[:PORT] or FIRST->LAST[:PORT]', line.no, line.text);
  const port = m[5] === undefined ? null : /^\d+$/.test(m[5]) ? Number(m[5]) : m[5];
  return { address: m[1] ?? m[2], addressLast: m[3] ?? m[4] ?? null, port };
}

function real(value: string, line: NumberedLine): LdirectordReal {
  // real=ADDRESS[:PORT] [gate|masq|ipip] [WEIGHT] ["request", "receive"]
  const [where, ...rest] = value.split(/\s+/);
  const r: LdirectordReal = { line: line.no, ...endpoint(where, line), method: null, weight: null };
  let i = 0;
  if (rest[i] === 'gate' || rest[i] === 'masq' || rest[i] === 'ipip') r.method = rest[i++] as LdirectordReal['method'];
  if (rest[i] !== undefined && /^\d+$/.test(rest[i])) r.weight = Number(rest[i++]);
  const remainder = rest.slice(i).join(' ');
  if (remainder !== '' && !/^"[^"]*"\s*,\s*"[^"]*"$/.test(remainder)) {
    throw new ParseError('expected real=ADDRESS[:PORT] [gate|masq|ipip] [WEIGHT] ["request", "receive"]', line.no, line.text);
  }
  return r;
}

/** ldirectord drops a `#` comment after a value ("real=10.0.0.2 gate  # web1"); not inside quotes. */
function withoutTrailingComment(text: string): string {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') inString = !inString;
    if (!inString && text[i] === '#' && i > 0 && /\s/.test(text[i - 1])) return text.slice(0, i).trimEnd();
  }
  return text;
}

function parseLdirectord(input: string): LdirectordConf {
  const conf: LdirectordConf = { format: 'ldirectord', globals: {}, fallback: null, virtuals: [] };
  let current: LdirectordVirtual | null = null;
  for (const line of numberedLines(input)) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(withoutTrailingComment(trimmed));
    if (!m) throw new ParseError("expected 'key=value'", line.no, line.text);
    const [, key, value] = m;
    const indented = /^\s/.test(line.text);
    if (key === 'virtual' || key === 'virtual6') {
      if (indented) throw new ParseError(`${key}= must not be indented`, line.no, line.text);
      current = {
        line: line.no, ipv6: key === 'virtual6', endpoint: null, fwmark: null, protocol: null,
        scheduler: null, persistent: null, fallback: null, reals: [], options: {},
      };
      if (/^\d+$/.test(value)) current.fwmark = Number(value);
      else current.endpoint = endpoint(value, line);
      conf.virtuals.push(current);
      continue;
    }
    if (!indented) {
      current = null;
      if (key === 'fallback' || key === 'fallback6') conf.fallback = real(value, line);
      else conf.globals[key] = value;
      continue;
    }
    if (!current) throw new ParseError(`indented ${key}= outside a virtual section`, line.no, line.text);
    switch (key) {
      case 'real': case 'real6': current.reals.push(real(value, line)); break;
      case 'fallback': case 'fallback6': current.fallback = real(value, line); break;
      case 'scheduler': current.scheduler = value; break;
      case 'protocol':
        if (!/^(tcp|udp|fwm|sctp)$/i.test(value)) throw new ParseError('expected protocol tcp, udp, sctp or fwm', line.no, line.text);
        current.protocol = value.toLowerCase();
        break;
      case 'persistent':
        if (!/^\d+$/.test(value)) throw new ParseError('expected persistent=SECONDS', line.no, line.text);
        current.persistent = Number(value);
        break;
      default: current.options[key] = value;
    }
  }
  return conf;
}

export const ldirectordParser: TextParser<LdirectordConf> = {
  id: 'ldirectord',
  description: 'ldirectord.cf: global directives and virtual= sections with real= servers',
  kind: 'text',
  parse: parseLdirectord,
};
