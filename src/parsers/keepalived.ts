// keepalived.conf: the LVS part (`virtual_server` and `virtual_server_group` blocks). The rest
// (global_defs, vrrp_*, health checkers) is walked structurally and not interpreted. Comments
// start with '#' or '!' anywhere on a line; `include` lines are recorded, never followed (the
// doctor reads one file it was given). Values of the keywords interpreted here are checked.
import { ParseError } from '../model/parse-error.js';
import { numberedLines } from './lines.js';
import { isIP } from '../util/ip.js';
import type { TextParser } from '../model/parser.js';

export interface KeepalivedRealServer {
  line: number;
  address: string;
  /** null when omitted (fwmark services, or the virtual server's port is used). */
  port: number | null;
  /** null when not set (keepalived's default is 1). */
  weight: number | null;
  /** Per-real-server `lvs_method`/`lb_kind` override, upper-case as written. */
  method: string | null;
  /** Names of nested health-check blocks (TCP_CHECK, HTTP_GET, MISC_CHECK, ...). */
  checks: string[];
}

export interface KeepalivedVirtualServer {
  line: number;
  address: string | null;
  /** `virtual_server 10.0.0.1/32 80`: the prefix length written after the address. */
  prefixLength?: number;
  port: number | null;
  fwmark: number | null;
  /** `virtual_server group NAME`. */
  group: string | null;
  protocol: string | null;
  /** `lb_algo` or `lvs_sched`. */
  scheduler: string | null;
  /** `lb_kind` or `lvs_method`, upper-case: NAT, DR, TUN. */
  method: string | null;
  /** Seconds; `persistence_timeout` without a value means keepalived's default 360. */
  persistenceTimeout: number | null;
  sorryServer: { address: string; port: number | null } | null;
  realServers: KeepalivedRealServer[];
}

export interface KeepalivedGroupMember {
  line: number;
  /** "10.0.0.1", or a last-octet range "192.168.200.3-10"; null for fwmark members. */
  address: string | null;
  port: number | null;
  fwmark: number | null;
}

export interface KeepalivedConf {
  format: 'keepalived';
  includes: { line: number; path: string }[];
  virtualServerGroups: { line: number; name: string; members: KeepalivedGroupMember[] }[];
  virtualServers: KeepalivedVirtualServer[];
}

interface Statement {
  line: number;
  text: string;
  words: string[];
  block: Statement[] | null;
}

/** Strips comments outside double quotes. */
function stripComment(text: string): string {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') inString = !inString;
    if (!inString && (text[i] === '#' || text[i] === '!')) return text.slice(0, i);
  }
  return text;
}

function words(text: string): string[] {
  return text.match(/"[^"]*"|[^\s"]+/g) ?? [];
}

/** Builds the block tree; '{' and '}' may share a line with words. */
function statements(input: string): Statement[] {
  const root: Statement[] = [];
  const stack: Statement[][] = [root];
  let last: { no: number; text: string } | null = null;
  for (const line of numberedLines(input)) {
    last = line;
    // Put braces apart so "url {", "}" and "{ x }" tokenise alike.
    const spaced = stripComment(line.text).replace(/([{}])/g, ' $1 ');
    let current: Statement | null = null;
    for (const w of words(spaced)) {
      const level = stack[stack.length - 1];
      if (w === '{') {
        const owner = current ?? level[level.length - 1];
        if (!owner || owner.block) throw new ParseError("'{' without a keyword before it", line.no, line.text);
        owner.block = [];
        stack.push(owner.block);
        current = null;
        continue;
      }
      if (w === '}') {
        if (stack.length === 1) throw new ParseError("unbalanced '}'", line.no, line.text);
        stack.pop();
        current = null;
        continue;
      }
      if (!current) {
        current = { line: line.no, text: line.text.trim(), words: [], block: null };
        level.push(current);
      }
      current.words.push(w);
    }
  }
  if (stack.length > 1) throw new ParseError(`${stack.length - 1} block(s) not closed by '}' (truncated file?)`, last?.no ?? 0, last?.text);
  return root;
}

function port(value: string | undefined, s: Statement): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) throw new ParseError('expected a port number', s.line, s.text);
  return Number(value);
}

function address(value: string | undefined, s: Statement): string {
  if (value === undefined || !isIP(value)) throw new ParseError('expected an IP address', s.line, s.text);
  return value;
}

function prefixLength(value: string, addr: string, s: Statement): number {
  const n = Number(value);
  if (n > (addr.includes(":") ? 128 : 32)) throw new ParseError('expected a prefix length', s.line, s.text);
  return n;
}

function integer(value: string | undefined, s: Statement, what: string): number {
  if (value === undefined || !/^-?\d+$/.test(value)) throw new ParseError(`expected ${what} (an integer)`, s.line, s.text);
  return Number(value);
}

function method(value: string | undefined, s: Statement): string {
  const upper = value?.toUpperCase();
  if (upper !== 'NAT' && upper !== 'DR' && upper !== 'TUN') throw new ParseError('expected NAT, DR or TUN', s.line, s.text);
  return upper;
}

function realServer(s: Statement): KeepalivedRealServer {
  const [, addr, p] = s.words;
  const rs: KeepalivedRealServer = { line: s.line, address: address(addr, s), port: p === undefined ? null : port(p, s), weight: null, method: null, checks: [] };
  for (const child of s.block ?? []) {
    const [key, value] = child.words;
    if (key === 'weight') rs.weight = integer(value, child, 'a weight');
    else if (key === 'lvs_method' || key === 'lb_kind') rs.method = method(value, child);
    else if (child.block) rs.checks.push(key);
  }
  return rs;
}

function virtualServer(s: Statement): KeepalivedVirtualServer {
  const vs: KeepalivedVirtualServer = {
    line: s.line, address: null, port: null, fwmark: null, group: null, protocol: null,
    scheduler: null, method: null, persistenceTimeout: null, sorryServer: null, realServers: [],
  };
  const [, a, b] = s.words;
  if (a === 'fwmark') vs.fwmark = integer(b, s, 'a firewall mark');
  else if (a === 'group') {
    if (!b) throw new ParseError('expected a group name', s.line, s.text);
    vs.group = b;
  } else {
    // keepalived also takes `virtual_server 10.0.0.1/32 80` (a prefix length it ignores for LVS).
    const prefixed = a === undefined ? null : /^(.+)\/(\d{1,3})$/.exec(a);
    vs.address = address(prefixed ? prefixed[1] : a, s);
    if (prefixed) vs.prefixLength = prefixLength(prefixed[2], vs.address, s);
    vs.port = b === undefined ? null : port(b, s);
  }
  if (!s.block) throw new ParseError("expected '{' after virtual_server", s.line, s.text);
  for (const child of s.block) {
    const [key, value, extra] = child.words;
    switch (key) {
      case 'real_server': vs.realServers.push(realServer(child)); break;
      case 'lb_algo': case 'lvs_sched':
        if (!value) throw new ParseError('expected a scheduler', child.line, child.text);
        vs.scheduler = value;
        break;
      case 'lb_kind': case 'lvs_method': vs.method = method(value, child); break;
      case 'protocol': {
        const upper = value?.toUpperCase();
        if (upper !== 'TCP' && upper !== 'UDP' && upper !== 'SCTP') throw new ParseError('expected TCP, UDP or SCTP', child.line, child.text);
        vs.protocol = upper;
        break;
      }
      case 'persistence_timeout': vs.persistenceTimeout = value === undefined ? 360 : integer(value, child, 'a timeout'); break;
      case 'sorry_server': vs.sorryServer = { address: address(value, child), port: extra === undefined ? null : port(extra, child) }; break;
      default: break;
    }
  }
  return vs;
}

function groupMembers(s: Statement): KeepalivedGroupMember[] {
  return (s.block ?? []).map((m) => {
    const [a, b] = m.words;
    if (a === 'fwmark') return { line: m.line, address: null, port: null, fwmark: integer(b, m, 'a firewall mark') };
    const range = /^(.+)-([0-9a-fA-F]+)$/.exec(a);
    if (!isIP(a) && !(range && isIP(range[1]))) throw new ParseError('expected IP PORT, IP-RANGE PORT or fwmark N', m.line, m.text);
    return { line: m.line, address: a, port: b === undefined ? null : port(b, m), fwmark: null };
  });
}

function parseKeepalived(input: string): KeepalivedConf {
  const conf: KeepalivedConf = { format: 'keepalived', includes: [], virtualServerGroups: [], virtualServers: [] };
  for (const s of statements(input)) {
    const [key, value] = s.words;
    // A keyword starts with a letter (or keepalived's @host / $VAR / ~SEQ forms). Anything else
    // -- a mail quote's "> " on every line -- is not keepalived.conf, and reading on would
    // quietly find zero virtual servers.
    if (key !== undefined && !/^[A-Za-z_@$~]/.test(key)) throw new ParseError('expected a keepalived keyword at the start of the line', s.line, s.text);
    if (key === 'include') {
      if (!value) throw new ParseError('expected a path after include', s.line, s.text);
      conf.includes.push({ line: s.line, path: value });
    } else if (key === 'virtual_server') conf.virtualServers.push(virtualServer(s));
    else if (key === 'virtual_server_group') {
      if (!value || !s.block) throw new ParseError("expected 'virtual_server_group NAME {'", s.line, s.text);
      conf.virtualServerGroups.push({ line: s.line, name: value, members: groupMembers(s) });
    }
  }
  return conf;
}

export const keepalivedParser: TextParser<KeepalivedConf> = {
  id: 'keepalived',
  description: 'keepalived.conf: virtual_server / virtual_server_group blocks with their real servers (lb_* and lvs_* keywords)',
  kind: 'text',
  parse: parseKeepalived,
};
