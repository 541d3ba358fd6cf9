// `ip rule` / `ip rule list` / `ip -6 rule`: the policy-routing database, one rule per line as
// `PRIORITY:<tab>[not] from SEL [selectors...] ACTION`.
import { ParseError } from '../model/parse-error.js';
import { contentLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export type RuleAction = 'lookup' | 'goto' | 'blackhole' | 'prohibit' | 'unreachable' | 'nop';

export interface IpRule {
  priority: number;
  /** The rule was printed with `not`: it matches packets the selectors do NOT match. */
  not: boolean;
  /** 'all', an address or a prefix. */
  from: string;
  to: string | null;
  tos: string | null;
  /** As printed, e.g. '0x5' or '0x5/0xff'. */
  fwmark: string | null;
  iif: string | null;
  oif: string | null;
  uidrange: string | null;
  ipproto: string | null;
  sport: string | null;
  dport: string | null;
  action: RuleAction;
  /** The table for `lookup`: a number or a name from rt_tables (local, main, default, lvs ...). */
  table: string | null;
  /** The priority jumped to by `goto`. */
  gotoPriority: number | null;
  suppressPrefixLength: number | null;
  suppressIfgroup: string | null;
  /** Other `key value` selectors (realms, l3mdev, protocol, tun_id ...). */
  other: Record<string, string>;
  line: number;
}

export interface IpRuleResult {
  format: 'ip-rule';
  rules: IpRule[];
}

const valueSelectors = new Set(['tos', 'dsfield', 'fwmark', 'iif', 'oif', 'uidrange', 'ipproto', 'sport', 'dport', 'realms', 'tun_id', 'protocol', 'suppress_ifgroup']);
const terminalActions = new Set<RuleAction>(['blackhole', 'prohibit', 'unreachable', 'nop']);

function selector(value: string | undefined, what: string, line: NumberedLine): string {
  if (value === 'all') return value;
  const [addr, len, extra] = (value ?? '').split('/');
  if (value === undefined || extra !== undefined || !isIP(addr) || (len !== undefined && !/^\d{1,3}$/.test(len))) {
    throw new ParseError(`expected ${what} ('all', an address or a prefix)`, line.no, line.text);
  }
  return value;
}

function parseRule(line: NumberedLine): IpRule {
  const m = /^(\d+):\s+(.*?)\s*$/.exec(line.text);
  if (!m) throw new ParseError("expected a rule 'PRIORITY:<tab>from ...'", line.no, line.text);
  const tokens = m[2].split(/\s+/);
  const rule: IpRule = {
    priority: Number(m[1]), not: false, from: '', to: null, tos: null, fwmark: null, iif: null, oif: null, uidrange: null,
    ipproto: null, sport: null, dport: null, action: 'lookup', table: null, gotoPriority: null, suppressPrefixLength: null,
    suppressIfgroup: null, other: {}, line: line.no,
  };
  let i = 0;
  if (tokens[i] === 'not') { rule.not = true; i++; }
  if (tokens[i] !== 'from') throw new ParseError("expected 'from' after the priority", line.no, line.text);
  rule.from = selector(tokens[i + 1], 'a source selector', line);
  let action: RuleAction | null = null;
  for (i += 2; i < tokens.length; i++) {
    const key = tokens[i];
    const value = tokens[i + 1];
    if (key === 'to') { rule.to = selector(value, 'a destination selector', line); i++; continue; }
    if (key === 'lookup' || key === 'table') {
      if (value === undefined) throw new ParseError('expected a table after lookup', line.no, line.text);
      action = 'lookup'; rule.table = value; i++; continue;
    }
    if (key === 'goto') {
      if (value === undefined || !/^\d+$/.test(value)) throw new ParseError('expected a priority after goto', line.no, line.text);
      action = 'goto'; rule.gotoPriority = Number(value); i++; continue;
    }
    if (key === 'suppress_prefixlength') {
      if (value === undefined || !/^\d+$/.test(value)) throw new ParseError('expected a length after suppress_prefixlength', line.no, line.text);
      rule.suppressPrefixLength = Number(value); i++; continue;
    }
    if (terminalActions.has(key as RuleAction)) { action = key as RuleAction; continue; }
    // iproute2 marks an iif/oif that does not exist (yet) with [detached].
    if (key === '[detached]' && (rule.iif !== null || rule.oif !== null)) { rule.other.detached = 'true'; continue; }
    if (key === 'l3mdev') { rule.other.l3mdev = 'true'; continue; }
    if (valueSelectors.has(key)) {
      if (value === undefined) throw new ParseError(`expected a value after ${key}`, line.no, line.text);
      i++;
      if (key === 'tos' || key === 'dsfield') rule.tos = value;
      else if (key === 'fwmark') rule.fwmark = value;
      else if (key === 'iif') rule.iif = value;
      else if (key === 'oif') rule.oif = value;
      else if (key === 'uidrange') rule.uidrange = value;
      else if (key === 'ipproto') rule.ipproto = value;
      else if (key === 'sport') rule.sport = value;
      else if (key === 'dport') rule.dport = value;
      else if (key === 'suppress_ifgroup') rule.suppressIfgroup = value;
      else rule.other[key] = value;
      continue;
    }
    throw new ParseError(`unknown rule keyword '${key}'`, line.no, line.text);
  }
  if (action === null) throw new ParseError('expected an action (lookup TABLE, goto, blackhole, prohibit, unreachable, nop)', line.no, line.text);
  rule.action = action;
  return rule;
}

export function parseIpRule(text: string): IpRuleResult {
  return { format: 'ip-rule', rules: contentLines(text).map(parseRule) };
}

export const ipRuleParser: TextParser<IpRuleResult> = {
  id: 'ip-rule',
  description: 'ip rule [list|show] / ip -6 rule (policy routing rules)',
  kind: 'text',
  parse: parseIpRule,
};
