// Which DROP/REJECT rules (and DROP chain policies) can stop a given flow at a given hook:
// the evidence for director.firewall-drop and realserver.firewall-reject. Conservative by
// design: a match this module cannot evaluate (conntrack state, marks, rate limits, an
// interface the flow does not name, ...) counts as "may match" and is listed, so a rule is
// never hidden because it was not understood. An ACCEPT ends the walk only when every one of
// its matches is known to match.
import type { IptablesChain, IptablesOption, IptablesRule, IptablesSave, IptablesTable, PacketCounters } from '../parsers/iptables-save.js';
import type { NftChain, NftMatch, NftRule, NftRuleset, NftTable } from '../parsers/nft.js';
import { inSubnet, isIP, isIPv4, isIPv6, ipv4ToInt, ipv6ToBigInt } from '../util/ip.js';

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface Flow {
  protocol: 'tcp' | 'udp' | 'icmp' | 'sctp';
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  inIface?: string;
  outIface?: string;
  hook: Hook;
  /** Conntrack state of the packet (a test connection's SYN is "new"); unknown when absent. */
  ctState?: 'new' | 'established' | 'related' | 'invalid' | 'untracked';
  /** Whether its conntrack entry is DNATed (`--ctstate DNAT`, `ct status dnat`); unknown when absent. */
  dnat?: boolean;
}

export interface FirewallHit {
  kind: 'rule' | 'policy';
  verdict: 'DROP' | 'REJECT';
  /** e.g. "icmp-admin-prohibited", "tcp reset"; null for the default or for DROP. */
  rejectWith: string | null;
  table: string;
  chain: string;
  line: number;
  text: string;
  counters: PacketCounters | null;
  /** True when every match of the rule (and of the jumps leading to it) is known to match. */
  certain: boolean;
  /** Matches that could not be evaluated for this flow, as written. */
  unevaluated: string[];
  /** Which tool's listing the rule comes from (how to remove it), and nft's rule handle when listed with -a. */
  source: 'iptables' | 'nft';
  handle?: number | null;
}

type Tri = 'yes' | 'no' | 'unknown';

interface Verdict {
  result: Tri;
  unevaluated: string[];
}

const ACCEPTING_TARGETS = new Set(['ACCEPT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT']);
const MAX_DEPTH = 8;

// ---------- shared evaluation ----------

function combine(parts: Verdict[]): Verdict {
  if (parts.some((p) => p.result === 'no')) return { result: 'no', unevaluated: [] };
  const unevaluated = parts.flatMap((p) => p.unevaluated);
  return { result: parts.some((p) => p.result === 'unknown') ? 'unknown' : 'yes', unevaluated };
}

function negate(v: Verdict, negated: boolean): Verdict {
  if (!negated || v.result === 'unknown') return v;
  return { result: v.result === 'yes' ? 'no' : 'yes', unevaluated: v.unevaluated };
}

const yes: Verdict = { result: 'yes', unevaluated: [] };
const no: Verdict = { result: 'no', unevaluated: [] };
const unknown = (what: string): Verdict => ({ result: 'unknown', unevaluated: [what] });

/** Address against "A", "A/N", "A-B" (range). */
function addressMatches(address: string, spec: string): boolean | null {
  const range = /^([0-9a-fA-F:.]+)-([0-9a-fA-F:.]+)$/.exec(spec);
  if (range && isIP(range[1]) && isIP(range[2])) {
    if (isIPv4(address) && isIPv4(range[1])) {
      const a = ipv4ToInt(address);
      return a >= ipv4ToInt(range[1]) && a <= ipv4ToInt(range[2]);
    }
    if (isIPv6(address) && isIPv6(range[1])) {
      const a = ipv6ToBigInt(address);
      return a >= ipv6ToBigInt(range[1]) && a <= ipv6ToBigInt(range[2]);
    }
    return false;
  }
  const [net, prefixText] = spec.split('/');
  if (!isIP(net)) return null;
  if (isIPv4(address) !== isIPv4(net)) return false;
  const prefix = prefixText === undefined ? (isIPv4(net) ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix)) return null;
  return inSubnet(address, net, prefix);
}

/** Port against "80", "8000:8100" (iptables) or "8000-8100" (nft). */
function portMatches(port: number, spec: string): boolean | null {
  const m = /^(\d+)(?:[:-](\d+))?$/.exec(spec);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return port >= lo && port <= hi;
}

/** iptables `eth+` and nft `"eth*"` wildcards. */
function ifaceMatches(iface: string, spec: string): boolean {
  if (spec.endsWith('+') || spec.endsWith('*')) return iface.startsWith(spec.slice(0, -1));
  return iface === spec;
}

function anyOf(values: string[], test: (v: string) => boolean | null, what: string): Verdict {
  let sawUnknown = false;
  for (const v of values) {
    const r = test(v);
    if (r === true) return yes;
    if (r === null) sawUnknown = true;
  }
  return sawUnknown ? unknown(what) : no;
}

const PROTOCOL_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '132': 'sctp' };

function protocolMatches(flow: Flow, spec: string): boolean | null {
  const p = PROTOCOL_NUMBERS[spec] ?? spec.toLowerCase();
  if (p === 'all') return true;
  if (['tcp', 'udp', 'icmp', 'sctp', 'icmpv6', 'ipv6-icmp'].includes(p)) return p === flow.protocol;
  return null;
}

/** Conntrack states (iptables upper case, nft lower case); SNAT/DNAT are the iptables virtual states. */
function ctStateMatches(flow: Flow, states: string[], what: string): Verdict {
  let sawUnknown = false;
  for (const raw of states) {
    const state = raw.toLowerCase();
    let known: boolean | undefined;
    if (state === 'dnat') known = flow.dnat;
    else if (state === 'snat' || state.startsWith('status:')) known = undefined;
    else known = flow.ctState === undefined ? undefined : flow.ctState === state;
    if (known === true) return yes;
    if (known === undefined) sawUnknown = true;
  }
  return sawUnknown ? unknown(what) : no;
}

// ---------- iptables ----------

const IPTABLES_TABLES_FOR_HOOK: Record<Hook, string[]> = {
  prerouting: ['raw', 'mangle', 'nat'],
  input: ['mangle', 'nat', 'filter', 'security'],
  forward: ['mangle', 'filter', 'security'],
  output: ['raw', 'mangle', 'nat', 'filter', 'security'],
  postrouting: ['mangle', 'nat'],
};

export function firewallHitsIptables(parsed: IptablesSave, flow: Flow): FirewallHit[] {
  const hits: FirewallHit[] = [];
  for (const tableName of IPTABLES_TABLES_FOR_HOOK[flow.hook]) {
    const table = parsed.tables.find((t) => t.name === tableName);
    const chain = table?.chains.find((c) => c.name === flow.hook.toUpperCase());
    if (!table || !chain) continue;
    const end = walkIptables(table, chain, flow, [], 0, hits);
    if ((end.end === 'fallthrough' || end.end === 'returned') && chain.policy === 'DROP') {
      hits.push({
        kind: 'policy', verdict: 'DROP', rejectWith: null, table: table.name, chain: chain.name,
        line: chain.line, text: `:${chain.name} DROP`, counters: chain.counters,
        certain: end.maybeAccepted.length === 0, unevaluated: end.maybeAccepted, source: 'iptables',
      });
    }
  }
  return hits;
}

interface WalkEnd {
  /** accepted/dropped: certainly, by a rule whose matches all hold; returned: RETURN from a user chain. */
  end: 'accepted' | 'dropped' | 'returned' | 'fallthrough';
  /** Matches of ACCEPT rules that may have taken the flow earlier (then a later DROP is uncertain). */
  maybeAccepted: string[];
}

function walkIptables(table: IptablesTable, chain: IptablesChain, flow: Flow, outer: string[], depth: number, hits: FirewallHit[]): WalkEnd {
  const maybeAccepted: string[] = [];
  for (const rule of chain.rules) {
    const v = iptablesRuleMatches(rule, flow);
    if (v.result === 'no') continue;
    const unevaluated = [...outer, ...maybeAccepted, ...v.unevaluated];
    const certain = v.result === 'yes' && outer.length === 0 && maybeAccepted.length === 0;
    const target = rule.target?.name;
    if (target === 'DROP' || target === 'REJECT') {
      const rejectWith = target === 'REJECT' ? rule.target?.options.find((o) => o.name === 'reject-with')?.values[0] ?? null : null;
      hits.push({
        kind: 'rule', verdict: target, rejectWith, table: table.name, chain: chain.name, line: rule.line,
        text: rule.text, counters: rule.counters, certain, unevaluated, source: 'iptables',
      });
      if (v.result === 'yes') return { end: 'dropped', maybeAccepted };
      continue;
    }
    if (target !== undefined && (ACCEPTING_TARGETS.has(target) || target === 'RETURN')) {
      if (v.result === 'yes') return { end: target === 'RETURN' ? 'returned' : 'accepted', maybeAccepted };
      maybeAccepted.push(...v.unevaluated);
      continue;
    }
    const next = target !== undefined ? table.chains.find((c) => c.name === target && c.policy === null) : undefined;
    if (next && depth < MAX_DEPTH) {
      const inner = walkIptables(table, next, flow, unevaluated, depth + 1, hits);
      if (v.result === 'yes' && (inner.end === 'accepted' || inner.end === 'dropped')) return { end: inner.end, maybeAccepted: [...maybeAccepted, ...inner.maybeAccepted] };
      maybeAccepted.push(...inner.maybeAccepted);
      if (inner.end === 'accepted' || inner.end === 'dropped') maybeAccepted.push(...v.unevaluated);
    }
  }
  return { end: 'fallthrough', maybeAccepted };
}

function iptablesRuleMatches(rule: IptablesRule, flow: Flow): Verdict {
  const parts: Verdict[] = rule.basic.map((o) => negate(iptablesBasic(o, flow), o.negated));
  for (const m of rule.matches) {
    if (m.name === 'comment') continue;
    for (const o of m.options) parts.push(negate(iptablesModuleOption(m.name, o, flow), o.negated));
  }
  return combine(parts);
}

function describe(o: IptablesOption, prefix: string): string {
  return `${o.negated ? '! ' : ''}${prefix}${o.name}${o.values.length ? ` ${o.values.join(' ')}` : ''}`;
}

function iptablesBasic(o: IptablesOption, flow: Flow): Verdict {
  const value = o.values[0] ?? '';
  switch (o.name) {
    case 's': return anyOf(value.split(','), (v) => addressMatches(flow.src, v), describe(o, '-'));
    case 'd': return anyOf(value.split(','), (v) => addressMatches(flow.dst, v), describe(o, '-'));
    case 'p': return anyOf([value], (v) => protocolMatches(flow, v), describe(o, '-'));
    case 'i': return flow.inIface === undefined ? unknown(describe(o, '-')) : ifaceMatches(flow.inIface, value) ? yes : no;
    case 'o': return flow.outIface === undefined ? unknown(describe(o, '-')) : ifaceMatches(flow.outIface, value) ? yes : no;
    default: return unknown(describe(o, '-'));
  }
}

function iptablesModuleOption(module: string, o: IptablesOption, flow: Flow): Verdict {
  const what = `-m ${module} ${describe(o, '--')}`;
  const port = o.name === 'dport' || o.name === 'dports' || o.name === 'destination-ports' ? flow.dport
    : o.name === 'sport' || o.name === 'sports' || o.name === 'source-ports' ? flow.sport
      : o.name === 'ports' ? undefined : null;
  if ((module === 'conntrack' && o.name === 'ctstate') || (module === 'state' && o.name === 'state')) {
    return ctStateMatches(flow, (o.values[0] ?? '').split(','), what);
  }
  if (['tcp', 'udp', 'sctp', 'multiport'].includes(module) && port !== null) {
    if (port === undefined) return unknown(what);
    return anyOf((o.values[0] ?? '').split(','), (v) => portMatches(port, v), what);
  }
  return unknown(what);
}

// ---------- nft ----------

export function firewallHitsNft(parsed: NftRuleset, flow: Flow): FirewallHit[] {
  const hits: FirewallHit[] = [];
  const family = isIPv4(flow.dst) ? 'ip' : 'ip6';
  for (const table of parsed.tables) {
    if (table.family !== family && table.family !== 'inet') continue;
    const bases = table.chains
      .filter((c) => c.hook === flow.hook && c.type !== null)
      .sort((a, b) => (a.priorityValue ?? 0) - (b.priorityValue ?? 0));
    for (const chain of bases) {
      const end = walkNft(table, chain, flow, [], 0, hits);
      if (end.end === 'fallthrough' && chain.policy === 'drop') {
        hits.push({
          kind: 'policy', verdict: 'DROP', rejectWith: null, table: `${table.family} ${table.name}`, chain: chain.name,
          line: chain.line, text: `chain ${chain.name} policy drop`, counters: null,
          certain: end.maybeAccepted.length === 0, unevaluated: end.maybeAccepted, source: 'nft',
        });
      }
    }
  }
  return hits;
}

function walkNft(table: NftTable, chain: NftChain, flow: Flow, outer: string[], depth: number, hits: FirewallHit[]): WalkEnd {
  const maybeAccepted: string[] = [];
  for (const rule of chain.rules) {
    const v = nftRuleMatches(table, rule, flow);
    if (v.result === 'no') continue;
    const unevaluated = [...outer, ...maybeAccepted, ...v.unevaluated];
    const verdict = rule.verdict?.kind;
    if (verdict === 'drop' || verdict === 'reject') {
      hits.push({
        kind: 'rule', verdict: verdict === 'drop' ? 'DROP' : 'REJECT', rejectWith: rule.verdict?.rejectWith ?? null,
        table: `${table.family} ${table.name}`, chain: chain.name, line: rule.line, text: rule.text,
        counters: rule.counters, certain: v.result === 'yes' && outer.length === 0 && maybeAccepted.length === 0, unevaluated,
        source: 'nft', handle: rule.handle,
      });
      if (v.result === 'yes') return { end: 'dropped', maybeAccepted };
      continue;
    }
    const acceptsByNat = rule.statements.some((s) => s.kind === 'nat');
    if (verdict === 'accept' || verdict === 'return' || acceptsByNat) {
      if (v.result === 'yes') return { end: verdict === 'return' ? 'returned' : 'accepted', maybeAccepted };
      maybeAccepted.push(...v.unevaluated);
      continue;
    }
    if ((verdict === 'jump' || verdict === 'goto') && depth < MAX_DEPTH) {
      const next = table.chains.find((c) => c.name === rule.verdict?.chain);
      if (next) {
        const inner = walkNft(table, next, flow, unevaluated, depth + 1, hits);
        if (v.result === 'yes' && (inner.end === 'accepted' || inner.end === 'dropped')) return { end: inner.end, maybeAccepted: [...maybeAccepted, ...inner.maybeAccepted] };
        maybeAccepted.push(...inner.maybeAccepted);
        if (inner.end === 'accepted' || inner.end === 'dropped') maybeAccepted.push(...v.unevaluated);
      }
    }
  }
  return { end: 'fallthrough', maybeAccepted };
}

function nftRuleMatches(table: NftTable, rule: NftRule, flow: Flow): Verdict {
  const parts: Verdict[] = rule.matches.map((m) => nftMatch(table, m, flow));
  for (const expr of rule.unrecognised) parts.push(unknown(expr));
  return combine(parts);
}

/** Values of a match, with a named set (`@name`) replaced by its elements when the table has it. */
function nftValues(table: NftTable, m: NftMatch): string[] | null {
  if (m.values.length === 1 && m.values[0].startsWith('@')) {
    const set = table.sets.find((s) => s.name === m.values[0].slice(1) && s.kind === 'set');
    return set ? set.elements : null;
  }
  return m.values;
}

function nftMatch(table: NftTable, m: NftMatch, flow: Flow): Verdict {
  const what = `${m.selector} ${m.op === '==' ? '' : `${m.op} `}${m.value}`;
  if (m.op !== '==' && m.op !== '!=') return unknown(what);
  const values = nftValues(table, m);
  if (values === null) return unknown(what);
  let v: Verdict;
  const [scope, field] = m.selector.split(' ');
  if ((scope === 'ip' || scope === 'ip6') && (field === 'saddr' || field === 'daddr')) {
    const address = field === 'saddr' ? flow.src : flow.dst;
    v = anyOf(values, (x) => addressMatches(address, x), what);
  } else if (['tcp', 'udp', 'sctp', 'th'].includes(scope) && (field === 'dport' || field === 'sport')) {
    const port = field === 'dport' ? flow.dport : flow.sport;
    if (scope !== 'th' && scope !== flow.protocol) v = no;
    else if (port === undefined) v = unknown(what);
    else v = anyOf(values, (x) => portMatches(port, x), what);
  } else if (m.selector === 'meta l4proto' || m.selector === 'ip protocol' || m.selector === 'ip6 nexthdr') {
    v = anyOf(values, (x) => protocolMatches(flow, x), what);
  } else if (m.selector === 'ct state') {
    v = ctStateMatches(flow, values.flatMap((x) => x.split(',')), what);
  } else if (m.selector === 'ct status') {
    v = ctStateMatches(flow, values.flatMap((x) => x.split(',')).map((x) => (x === 'dnat' ? 'dnat' : `status:${x}`)), what);
  } else if (m.selector === 'meta nfproto') {
    v = anyOf(values, (x) => (x === 'ipv4' ? isIPv4(flow.dst) : x === 'ipv6' ? isIPv6(flow.dst) : null), what);
  } else if (['iifname', 'meta iifname', 'iif', 'meta iif', 'oifname', 'meta oifname', 'oif', 'meta oif'].includes(m.selector)) {
    const iface = m.selector.includes('iif') ? flow.inIface : flow.outIface;
    v = iface === undefined ? unknown(what) : values.some((x) => ifaceMatches(iface, x)) ? yes : no;
  } else {
    return unknown(what);
  }
  return negate(v, m.op === '!=');
}
