// Which parser reads a piece of pasted output. The command echoed before it decides when there
// is one; otherwise every text parser is tried and only a reading that found something counts
// (a lenient parser that "reads" prose as zero entries is no reading). Several readings of one
// text are settled by a fixed preference, and the losers are reported, never silently dropped.
import { ParseError } from '../model/parse-error.js';
import { parserRegistry } from '../parsers/index.js';
import { innerCommand } from './split.js';

export interface Detection {
  /** The parser that read the text, or null when none could. */
  parser: string | null;
  result: unknown;
  /** How the parser was chosen. */
  by: 'command' | 'content' | null;
  /** Lines a parser that reads per line kept aside as not understood (tcpdump's `unparsed`). */
  unreadLines: { line: number; text: string }[];
  /** Why each tried parser refused, for "could not read" reports. */
  refusals: { parser: string; line: number; reason: string }[];
}

/** The parser for a command line (the first element of a pipeline), or null when unknown. */
export function parserForCommand(command: string): string | null {
  const first = innerCommand(command.split('|')[0] ?? '');
  const words = first.trim().split(/\s+/);
  const tool = (words[0] ?? '').replace(/^.*\//, '');
  const args = words.slice(1);
  const arg = (re: RegExp): boolean => args.some((a) => re.test(a));
  switch (tool) {
    case 'ipvsadm': case 'ipvsadm-save': return 'ipvsadm';
    case 'route': return 'route-n';
    case 'netstat': return arg(/^-\w*r/) ? 'netstat-rn' : null;
    case 'ping': case 'ping6': return 'ping';
    case 'traceroute': return 'traceroute';
    case 'tcpdump': return 'tcpdump';
    case 'sysctl': return 'sysctl';
    case 'conntrack': return 'conntrack';
    case 'iptables-save': case 'ip6tables-save': return 'iptables-save';
    case 'nft': return 'nft';
    case 'ss': return 'ss';
    case 'nstat': return 'nstat';
    case 'ip': return ipSubcommand(args);
    case 'cat': case 'less': case 'more': case 'head': case 'tail': case 'grep': case 'egrep': return fileParser(args.filter((a) => !a.startsWith('-')).pop() ?? '');
    default: return null;
  }
}

function ipSubcommand(args: string[]): string | null {
  const rest = args.filter((a) => !a.startsWith('-') && !/^(?:4|6|inet6?|link)$/.test(a));
  const [object = '', verb = ''] = rest;
  // ip takes any prefix of its object names; "r" is route, "ru" rule.
  if (object === '') return null;
  if (object.length >= 2 && 'rule'.startsWith(object)) return 'ip-rule';
  if ('route'.startsWith(object)) return verb === 'get' ? 'ip-route-get' : 'ip-route';
  if ('address'.startsWith(object)) return 'ip-addr';
  if ('link'.startsWith(object)) return 'ip-link';
  // `ip n`, `ip neigh`, `ip neighbor` (ntable needs its `t`).
  if ('neighbour'.startsWith(object) || 'neighbor'.startsWith(object)) return 'ip-neigh';
  return null;
}

function fileParser(path: string): string | null {
  if (/\/proc\/net\/ip_vs_conn$/.test(path)) return 'proc-ip-vs-conn';
  if (/\/proc\/net\/ip_vs_stats$/.test(path)) return 'proc-ip-vs-stats';
  if (/\/proc\/net\/ip_vs$/.test(path)) return 'proc-ip-vs';
  if (/keepalived[^/]*\.conf$/.test(path)) return 'keepalived';
  if (/ldirectord[^/]*\.cf$|ha\.d\/.*\.cf$/.test(path)) return 'ldirectord';
  if (/lvs[^/]*\.conf$/.test(path)) return 'lvs-conf';
  if (/^\/proc\/sys\//.test(path)) return 'sysctl';
  if (/\/tracing\/(instances\/[^/]+\/)?trace$/.test(path)) return 'kfree-skb-trace';
  return null;
}

/** Preference when several parsers read the same text: the strictest formats first. */
const PREFERENCE = [
  'ipvsadm', 'proc-ip-vs', 'proc-ip-vs-conn', 'proc-ip-vs-stats', 'ip-route-get', 'ip-route', 'ip-rule', 'ip-addr', 'ip-link', 'ip-neigh',
  'route-n', 'netstat-rn', 'conntrack', 'iptables-save', 'nft', 'ss', 'ping', 'traceroute', 'nstat', 'sysctl', 'tcpdump',
  'keepalived', 'ldirectord', 'lvs-conf', 'kfree-skb-trace',
];

/** True when a reading found something: a parser may accept text it does not know as "nothing". */
export function meaningful(parser: string, result: unknown): boolean {
  const r = result as Record<string, unknown>;
  switch (parser) {
    case 'ipvsadm': return r.format !== 'ipvsadm-empty';
    case 'sysctl': return nonEmpty(r.entries) || nonEmpty(r.errors);
    // tcpdump: packets, or only its banners ("listening on ...", "0 packets captured").
    case 'tcpdump': return (r.unparsed as unknown[]).length <= (r.packets as unknown[]).length && (nonEmpty(r.packets) || nonEmpty(r.messages));
    case 'keepalived': return nonEmpty(r.virtualServers) || nonEmpty(r.virtualServerGroups);
    case 'ldirectord': return nonEmpty(r.virtuals);
    case 'lvs-conf': return r.vip !== null || nonEmpty(r.services);
    case 'ping': return r.target !== null || r.connectError !== null;
    // Its header is required: a parse that succeeded saw it, even with no connection under it.
    case 'proc-ip-vs-conn': return true;
    // Its header is required: a parse that succeeded saw it, even with no connection under it.
    case 'proc-ip-vs-conn': return true;
    case 'nstat': return Object.keys(r.counters ?? {}).length > 0;
    case 'kfree-skb-trace': return r.instance !== null || nonEmpty(r.events);
    default: return Object.entries(r).some(([k, v]) => k !== 'format' && found(v));
  }
}

/** A value that says the parser recognised something: a row, a count, a version, a header seen. */
function found(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return true;
  return v === true;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

/** `ip route get` answers carry `uid` (iproute2 4.x on), `from`, or a `cache` line outside a named table; a route table none of these. */
function routeGetMarked(result: unknown): boolean {
  // A cached route listed by `ip route show table all cached` has a cache line too, with its table.
  const r = result as { results: { cache: boolean; uid: number | null; error: string | null; from: string | null; table: string | null }[] };
  return r.results.some((x) => x.uid !== null || x.error !== null || x.from !== null || (x.cache && x.table === null));
}

function tryParse(parser: string, text: string): { ok: true; result: unknown } | { ok: false; line: number; reason: string } {
  const p = parserRegistry[parser];
  if (!p || p.kind !== 'text') return { ok: false, line: 0, reason: `${parser} reads binary input` };
  try {
    return { ok: true, result: p.parse(text) };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, line: err.line, reason: err.expected };
    // A parser that throws anything else has a bug; here it only means "not read".
    return { ok: false, line: 0, reason: `internal error: ${(err as Error).message}` };
  }
}

function unreadLinesOf(parser: string, result: unknown): { line: number; text: string }[] {
  if (parser !== 'tcpdump') return [];
  return ((result as { unparsed?: { line: number; text: string }[] }).unparsed ?? []).slice();
}

/**
 * Detects and parses `text`. With a command whose parser is known, only that parser is tried:
 * the user said what the text is, and a second opinion would be a guess.
 */
export function detect(text: string, command: string | null = null): Detection {
  const byCommand = command ? parserForCommand(command) : null;
  const candidates = byCommand ? [byCommand] : PREFERENCE.filter((id) => parserRegistry[id]?.kind === 'text');
  const refusals: Detection['refusals'] = [];
  for (const parser of candidates) {
    const attempt = tryParse(parser, text);
    if (!attempt.ok) {
      refusals.push({ parser, line: attempt.line, reason: attempt.reason });
      continue;
    }
    // `sysctl -n` prints bare values: only the command can say that is what they are.
    if (parser === 'ip-route-get' && byCommand === null && !routeGetMarked(attempt.result)) {
      refusals.push({ parser, line: 0, reason: "reads as routes, but without the 'cache' line or 'uid' of `ip route get` it is taken for a route table" });
      continue;
    }
    const bareSysctl = byCommand === 'sysctl' && (attempt.result as { bareValues?: unknown[] }).bareValues?.length;
    // An empty grep says something too: "ipvsadm -Lnc | grep SYN_RECV" printed nothing.
    if (byCommand !== null && (bareSysctl || text.trim() === '' || meaningful(parser, attempt.result))) {
      return { parser, result: attempt.result, by: 'command', unreadLines: unreadLinesOf(parser, attempt.result), refusals };
    }
    if (byCommand === null && meaningful(parser, attempt.result)) {
      return { parser, result: attempt.result, by: 'content', unreadLines: unreadLinesOf(parser, attempt.result), refusals };
    }
    refusals.push({ parser, line: 0, reason: 'read nothing it knows in this text' });
  }
  return { parser: null, result: null, by: null, unreadLines: [], refusals };
}
