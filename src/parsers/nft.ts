// `nft list ruleset` (and `nft -a list ruleset`): tables, named sets and maps, chains with
// type/hook/priority/policy, and rules. nft's language is large; a rule is kept as its tokens
// plus the structures lvs-doctor reasons about (address/port/interface matches, NAT targets
// including numgen maps, verdicts, counters, marks, comments). Expressions outside that set
// are kept verbatim in `unrecognised` so a consumer can say "this rule may match". The block
// structure itself is strict: a line outside a table, an unknown block or an unbalanced brace
// is a ParseError.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import type { PacketCounters } from './iptables-save.js';

export interface NftMatch {
  /** The matched expression: "ip daddr", "tcp dport", "iifname", "ct state", "numgen inc mod 3", ... */
  selector: string;
  /** "==" when nft printed no operator. */
  op: string;
  /** The value as printed ("10.0.0.0/24", "{ 80, 8080 }", "@blocked", "\"eth0\""). */
  value: string;
  /** Elements of an anonymous set, or the single value; quotes removed. */
  values: string[];
}

export interface NftNatAddress {
  address: string;
  port: number | null;
  /** Upper bound when the port is a range "1000-2000". */
  portMax: number | null;
}

export type NftNatTarget =
  | ({ kind: 'address' } & NftNatAddress)
  | { kind: 'numgen'; mode: 'inc' | 'random'; mod: number; offset: number; entries: { key: number; to: NftNatAddress }[] }
  /** `dnat to EXPR map @name` or `EXPR map { ... }`: entries only when the map is inline. */
  | { kind: 'map'; key: string; map: string; entries: { key: string; to: NftNatAddress }[] | null };

export type NftStatement =
  | { kind: 'nat'; type: 'dnat' | 'snat' | 'masquerade' | 'redirect'; family: 'ip' | 'ip6' | null; target: NftNatTarget | null; toPort: number | null; flags: string[] }
  | { kind: 'mark'; scope: 'meta' | 'ct'; value: string }
  | { kind: 'log'; options: string[] }
  | { kind: 'notrack' };

export interface NftVerdict {
  kind: 'accept' | 'drop' | 'reject' | 'jump' | 'goto' | 'return' | 'continue' | 'queue';
  /** The chain of jump/goto. */
  chain: string | null;
  /** For reject: "tcp reset", "icmp admin-prohibited", "icmpx port-unreachable"; null = default. */
  rejectWith: string | null;
}

export interface NftRule {
  line: number;
  /** The rule as printed, without a trailing "# handle N". */
  text: string;
  handle: number | null;
  tokens: string[];
  matches: NftMatch[];
  statements: NftStatement[];
  counters: PacketCounters | null;
  comment: string | null;
  verdict: NftVerdict | null;
  /** Expressions this parser does not model, verbatim and in order. */
  unrecognised: string[];
}

export interface NftChain {
  name: string;
  line: number;
  handle: number | null;
  /** null for a regular (non-base) chain. */
  type: string | null;
  hook: string | null;
  /** As printed ("dstnat", "filter + 10", "-100"). */
  priority: string | null;
  /** Numeric priority when the name is a standard one (ip/inet/ip6 families). */
  priorityValue: number | null;
  policy: string | null;
  rules: NftRule[];
}

export interface NftSet {
  kind: 'set' | 'map';
  name: string;
  line: number;
  /** Property lines other than elements, e.g. { type: "ipv4_addr : ipv4_addr", flags: "interval" }. */
  properties: Record<string, string>;
  elements: string[];
  /** For a map: elements split at " : ". */
  entries: { key: string; value: string }[] | null;
}

export interface NftTable {
  family: string;
  name: string;
  line: number;
  handle: number | null;
  sets: NftSet[];
  chains: NftChain[];
  /** Other named objects (flowtable, counter, quota, ct helper, ...), body not interpreted. */
  objects: { kind: string; name: string; line: number }[];
}

export interface NftRuleset {
  format: 'nft';
  tables: NftTable[];
}

const STANDARD_PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const OTHER_OBJECTS = ['flowtable', 'counter', 'quota', 'limit', 'secmark', 'synproxy', 'ct helper', 'ct timeout', 'ct expectation'];

interface Token {
  text: string;
  kind: 'word' | 'string' | 'group';
}

/** Splits a rule into words, "strings" and { brace groups } (one token each). */
export function tokenizeNft(text: string, line: NumberedLine): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): ParseError => new ParseError(what, line.no, line.text);
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw fail('unterminated quoted string');
      tokens.push({ text: text.slice(i, end + 1), kind: 'string' });
      i = end + 1;
      continue;
    }
    if (c === '{') {
      let depth = 0;
      let j = i;
      let inString = false;
      for (; j < text.length; j++) {
        if (text[j] === '"') inString = !inString;
        if (inString) continue;
        if (text[j] === '{') depth++;
        if (text[j] === '}') { depth--; if (depth === 0) break; }
      }
      if (j >= text.length) throw fail("unbalanced '{'");
      tokens.push({ text: text.slice(i, j + 1), kind: 'group' });
      i = j + 1;
      continue;
    }
    if (c === '}') throw fail("unbalanced '}'");
    let j = i;
    while (j < text.length && !' \t"{}'.includes(text[j])) j++;
    tokens.push({ text: text.slice(i, j), kind: 'word' });
    i = j;
  }
  return tokens;
}

/** Splits the inside of "{ a, b : c, d }" at top-level commas. */
export function groupElements(group: string): string[] {
  const inner = group.trim().replace(/^\{/, '').replace(/\}$/, '');
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  let inString = false;
  for (const ch of inner) {
    if (ch === '"') inString = !inString;
    if (!inString && ch === '{') depth++;
    if (!inString && ch === '}') depth--;
    if (!inString && depth === 0 && ch === ',') { parts.push(current.trim()); current = ''; continue; }
    current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts.map((p) => p.replace(/\s+/g, ' '));
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1) : text;
}

const TWO_WORD_SELECTORS: Record<string, string[]> = {
  ip: ['saddr', 'daddr', 'protocol', 'length', 'ttl', 'dscp'],
  ip6: ['saddr', 'daddr', 'nexthdr', 'hoplimit'],
  tcp: ['dport', 'sport', 'flags'],
  udp: ['dport', 'sport'],
  sctp: ['dport', 'sport'],
  th: ['dport', 'sport'],
  meta: ['l4proto', 'mark', 'iifname', 'oifname', 'iif', 'oif', 'nfproto', 'protocol', 'pkttype', 'skuid', 'skgid'],
  ct: ['state', 'status', 'mark', 'direction'],
  icmp: ['type', 'code'],
  icmpv6: ['type', 'code'],
};
const ONE_WORD_SELECTORS = new Set(['iifname', 'oifname', 'iif', 'oif']);
const OPERATORS = new Set(['==', '!=', '<', '>', '<=', '>=', 'eq', 'ne', 'lt', 'gt', 'le', 'ge']);
const NAT_FLAGS = new Set(['random', 'fully-random', 'persistent']);
const SIMPLE_VERDICTS = new Set(['accept', 'drop', 'return', 'continue', 'queue']);

/** "10.1.1.11", "10.1.1.11:8080", "[2001:db8::1]:80", "10.1.1.11 . 8080" (map value). */
export function parseNatAddress(text: string): NftNatAddress | null {
  const concat = /^(\S+) \. (\d+)(?:-(\d+))?$/.exec(text);
  if (concat) return { address: concat[1], port: Number(concat[2]), portMax: concat[3] ? Number(concat[3]) : null };
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+)(?:-(\d+))?)?$/.exec(text);
  if (v6) return { address: v6[1], port: v6[2] ? Number(v6[2]) : null, portMax: v6[3] ? Number(v6[3]) : null };
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d+)(?:-(\d+))?)?$/.exec(text);
  if (v4) return { address: v4[1], port: v4[2] ? Number(v4[2]) : null, portMax: v4[3] ? Number(v4[3]) : null };
  if (/^[0-9a-fA-F:]+$/.test(text) && text.includes(':')) return { address: text, port: null, portMax: null };
  return null;
}

function mapEntries(group: string, line: NumberedLine): { key: string; to: NftNatAddress }[] {
  return groupElements(group).map((element) => {
    const m = /^(.+?) : (.+)$/.exec(element);
    const to = m ? parseNatAddress(m[2]) : null;
    if (!m || !to) throw new ParseError(`expected a map element 'KEY : ADDRESS[ . PORT]', got "${element}"`, line.no, line.text);
    return { key: m[1], to };
  });
}

function parseRule(text: string, handle: number | null, line: NumberedLine): NftRule {
  const tokens = tokenizeNft(text, line);
  const rule: NftRule = {
    line: line.no, text, handle, tokens: tokens.map((t) => t.text),
    matches: [], statements: [], counters: null, comment: null, verdict: null, unrecognised: [],
  };
  const fail = (what: string): ParseError => new ParseError(what, line.no, line.text);
  const word = (k: number): string | undefined => (tokens[k]?.kind === 'word' ? tokens[k].text : undefined);
  let pendingOther: string[] = [];
  const flushOther = (): void => {
    if (pendingOther.length) rule.unrecognised.push(pendingOther.join(' '));
    pendingOther = [];
  };
  const setVerdict = (v: NftVerdict): void => {
    if (rule.verdict) throw fail('a second verdict in one rule');
    rule.verdict = v;
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    const w = word(i);
    // counter packets N bytes M
    if (w === 'counter' && word(i + 1) === 'packets') {
      const packets = word(i + 2);
      const bytes = word(i + 4);
      if (!packets || !/^\d+$/.test(packets) || word(i + 3) !== 'bytes' || !bytes || !/^\d+$/.test(bytes)) {
        throw fail("expected 'counter packets N bytes M'");
      }
      flushOther();
      rule.counters = { packets: Number(packets), bytes: Number(bytes) };
      i += 5;
      continue;
    }
    if (w === 'comment') {
      if (tokens[i + 1]?.kind !== 'string') throw fail('expected a quoted string after comment');
      flushOther();
      rule.comment = unquote(tokens[i + 1].text);
      i += 2;
      continue;
    }
    if (w !== undefined && SIMPLE_VERDICTS.has(w)) {
      flushOther();
      setVerdict({ kind: w as NftVerdict['kind'], chain: null, rejectWith: null });
      i++;
      continue;
    }
    if (w === 'jump' || w === 'goto') {
      const chain = word(i + 1);
      if (!chain) throw fail(`expected a chain after ${w}`);
      flushOther();
      setVerdict({ kind: w, chain: chain ?? null, rejectWith: null });
      i += 2;
      continue;
    }
    if (w === 'reject') {
      flushOther();
      let rejectWith: string | null = null;
      i++;
      if (word(i) === 'with') {
        const kind = word(i + 1);
        if (kind === 'tcp' && word(i + 2) === 'reset') { rejectWith = 'tcp reset'; i += 3; }
        else if (kind === 'icmp' || kind === 'icmpx' || kind === 'icmpv6') {
          const typed = word(i + 2) === 'type' ? 1 : 0;
          const code = word(i + 2 + typed);
          if (!code) throw fail(`expected a code after 'reject with ${kind}'`);
          rejectWith = `${kind} ${code}`;
          i += 3 + typed;
        } else throw fail("expected 'reject with tcp reset' or 'reject with icmp[x|v6] CODE'");
      }
      setVerdict({ kind: 'reject', chain: null, rejectWith });
      continue;
    }
    if (w === 'dnat' || w === 'snat' || w === 'masquerade' || w === 'redirect') {
      flushOther();
      i = parseNat(tokens, i, rule, line);
      continue;
    }
    if ((w === 'meta' || w === 'ct') && word(i + 1) === 'mark' && word(i + 2) === 'set') {
      const value = word(i + 3);
      if (!value) throw fail(`expected a value after '${w} mark set'`);
      flushOther();
      rule.statements.push({ kind: 'mark', scope: w, value: value ?? '' });
      i += 4;
      continue;
    }
    if (w === 'log') {
      flushOther();
      const options: string[] = [];
      i++;
      while (['prefix', 'level', 'group', 'snaplen', 'queue-threshold', 'flags'].includes(word(i) ?? '')) {
        const key = tokens[i].text;
        const value = tokens[i + 1];
        if (!value) throw fail(`expected a value after 'log ${key}'`);
        options.push(`${key} ${value.text}`);
        i += 2;
      }
      rule.statements.push({ kind: 'log', options });
      continue;
    }
    if (w === 'notrack') {
      flushOther();
      rule.statements.push({ kind: 'notrack' });
      i++;
      continue;
    }
    const matched = matchAt(tokens, i);
    if (matched) {
      flushOther();
      rule.matches.push(matched.match);
      i = matched.next;
      continue;
    }
    pendingOther.push(t.text);
    i++;
  }
  flushOther();
  return rule;
}

function matchAt(tokens: Token[], i: number): { match: NftMatch; next: number } | null {
  const w = tokens[i]?.kind === 'word' ? tokens[i].text : undefined;
  if (w === undefined) return null;
  let selector: string | null = null;
  let k = i;
  const second = tokens[i + 1]?.kind === 'word' ? tokens[i + 1].text : undefined;
  if (TWO_WORD_SELECTORS[w]?.includes(second ?? '')) { selector = `${w} ${second}`; k = i + 2; }
  else if (ONE_WORD_SELECTORS.has(w)) { selector = w; k = i + 1; }
  else if (w === 'numgen') {
    // numgen inc mod 3 [offset K] VALUE: what iptables-nft prints for `-m statistic --mode nth`.
    const mode = tokens[i + 1]?.text;
    const mod = tokens[i + 3]?.text;
    if ((mode === 'inc' || mode === 'random') && tokens[i + 2]?.text === 'mod' && mod && /^\d+$/.test(mod)) {
      selector = `numgen ${mode} mod ${mod}`;
      k = i + 4;
      if (tokens[k]?.text === 'offset' && /^\d+$/.test(tokens[k + 1]?.text ?? '')) { selector += ` offset ${tokens[k + 1].text}`; k += 2; }
    }
  }
  if (selector === null) return null;
  let op = '==';
  if (tokens[k]?.kind === 'word' && OPERATORS.has(tokens[k].text)) { op = tokens[k].text; k++; }
  const value = tokens[k];
  if (!value) return null;
  if (value.kind === 'word' && (/^[&|^]$/.test(value.text) || value.text === '<<' || value.text === '>>' || value.text === 'map' || value.text === 'set')) return null;
  const values = value.kind === 'group' ? groupElements(value.text).map(unquote) : [unquote(value.text)];
  return { match: { selector, op, value: value.text, values }, next: k + 1 };
}

function parseNat(tokens: Token[], start: number, rule: NftRule, line: NumberedLine): number {
  const fail = (what: string): ParseError => new ParseError(what, line.no, line.text);
  const type = tokens[start].text as 'dnat' | 'snat' | 'masquerade' | 'redirect';
  let i = start + 1;
  let family: 'ip' | 'ip6' | null = null;
  if (tokens[i]?.text === 'ip' || tokens[i]?.text === 'ip6') {
    // "dnat ip to", but not "masquerade" followed by a match like "ip saddr" in the next expression.
    if (tokens[i + 1]?.text === 'to' || tokens[i + 1]?.text === 'addr' || tokens[i + 1]?.text === 'prefix') {
      family = tokens[i].text as 'ip' | 'ip6';
      i++;
    }
  }
  // "dnat ip addr . port to ..." as accepted on input; listings print without it.
  if (tokens[i]?.text === 'addr' && tokens[i + 1]?.text === '.' && tokens[i + 2]?.text === 'port') i += 3;
  let target: NftNatTarget | null = null;
  let toPort: number | null = null;
  if (tokens[i]?.text === 'to') {
    i++;
    const first = tokens[i];
    if (!first) throw fail(`expected a target after '${type} to'`);
    if ((type === 'masquerade' || type === 'redirect') && /^:\d+(-\d+)?$/.test(first.text)) {
      toPort = Number(first.text.slice(1).split('-')[0]);
      i++;
    } else if (first.text === 'numgen') {
      const mode = tokens[i + 1]?.text;
      const mod = tokens[i + 3]?.text;
      if ((mode !== 'inc' && mode !== 'random') || tokens[i + 2]?.text !== 'mod' || !mod || !/^\d+$/.test(mod)) {
        throw fail("expected 'numgen inc|random mod N'");
      }
      i += 4;
      let offset = 0;
      if (tokens[i]?.text === 'offset') {
        const off = tokens[i + 1]?.text;
        if (!off || !/^\d+$/.test(off)) throw fail("expected a number after 'offset'");
        offset = Number(off);
        i += 2;
      }
      if (tokens[i]?.text !== 'map' || tokens[i + 1]?.kind !== 'group') throw fail("expected 'map { KEY : ADDRESS, ... }' after numgen");
      const entries = mapEntries(tokens[i + 1].text, line).map((e) => {
        if (!/^\d+$/.test(e.key)) throw fail(`expected a numeric numgen key, got "${e.key}"`);
        return { key: Number(e.key), to: e.to };
      });
      target = { kind: 'numgen', mode: mode as 'inc' | 'random', mod: Number(mod), offset, entries };
      i += 2;
    } else {
      const single = first.kind === 'word' ? parseNatAddress(first.text) : null;
      if (single && tokens[i + 1]?.text !== 'map' && tokens[i + 1]?.text !== '.') {
        target = { kind: 'address', ...single };
        i++;
      } else {
        // EXPR map @name | EXPR map { ... }
        const keyTokens: string[] = [];
        while (i < tokens.length && tokens[i].text !== 'map') keyTokens.push(tokens[i++].text);
        const map = tokens[i + 1];
        if (tokens[i]?.text !== 'map' || !map) throw fail(`expected an address, 'numgen ... map' or 'EXPR map ...' after '${type} to'`);
        const entries = map.kind === 'group' ? mapEntries(map.text, line) : null;
        if (map.kind !== 'group' && !map.text.startsWith('@')) throw fail("expected '@name' or '{ ... }' after 'map'");
        target = { kind: 'map', key: keyTokens.join(' '), map: map.text, entries };
        i += 2;
      }
    }
  } else if (type === 'dnat' || type === 'snat') {
    throw fail(`expected 'to' after ${type}`);
  }
  const flags: string[] = [];
  while (tokens[i] && NAT_FLAGS.has(tokens[i].text)) flags.push(tokens[i++].text);
  rule.statements.push({ kind: 'nat', type, family, target, toPort, flags });
  return i;
}

function priorityValue(priority: string): number | null {
  const m = /^(-?\d+|[a-z]+)(?:\s*([+-])\s*(\d+))?$/.exec(priority);
  if (!m) return null;
  const base = /^-?\d+$/.test(m[1]) ? Number(m[1]) : STANDARD_PRIORITIES[m[1]];
  if (base === undefined) return null;
  if (!m[2]) return base;
  return m[2] === '+' ? base + Number(m[3]) : base - Number(m[3]);
}

function splitHandle(text: string): { body: string; handle: number | null } {
  const m = /^(.*?)\s*# handle (\d+)$/.exec(text);
  return m ? { body: m[1], handle: Number(m[2]) } : { body: text, handle: null };
}

function braceBalance(text: string): number {
  let depth = 0;
  let inString = false;
  for (const ch of text) {
    if (ch === '"') inString = !inString;
    if (inString) continue;
    if (ch === '{') depth++;
    if (ch === '}') depth--;
  }
  return depth;
}

type Frame =
  | { kind: 'table'; table: NftTable }
  | { kind: 'chain'; chain: NftChain }
  | { kind: 'set'; set: NftSet }
  | { kind: 'object' };

function parseNftRuleset(input: string): NftRuleset {
  const tables: NftTable[] = [];
  const stack: Frame[] = [];
  const lines = numberedLines(input);
  let lastLine: NumberedLine | undefined;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    lastLine = line;
    const { body: raw, handle } = splitHandle(line.text.trim());
    let text = raw;
    if (text === '' || (text.startsWith('#') && !text.startsWith('# handle'))) continue;
    const top = stack[stack.length - 1];
    const fail = (what: string): ParseError => new ParseError(what, line.no, line.text);
    if (text === '}') {
      if (!top) throw fail("unbalanced '}'");
      stack.pop();
      continue;
    }
    if (!top) {
      const m = /^table\s+(\S+)\s+(\S+)\s+\{$/.exec(text);
      if (!m) throw fail("expected 'table FAMILY NAME {'");
      const table: NftTable = { family: m[1], name: m[2], line: line.no, handle, sets: [], chains: [], objects: [] };
      tables.push(table);
      stack.push({ kind: 'table', table });
      continue;
    }
    if (top.kind === 'table') {
      const block = /^(set|map|chain)\s+(\S+)\s+\{$/.exec(text);
      if (block) {
        if (block[1] === 'chain') {
          const chain: NftChain = { name: block[2], line: line.no, handle, type: null, hook: null, priority: null, priorityValue: null, policy: null, rules: [] };
          top.table.chains.push(chain);
          stack.push({ kind: 'chain', chain });
        } else {
          const set: NftSet = { kind: block[1] as 'set' | 'map', name: block[2], line: line.no, properties: {}, elements: [], entries: block[1] === 'map' ? [] : null };
          top.table.sets.push(set);
          stack.push({ kind: 'set', set });
        }
        continue;
      }
      const other = OTHER_OBJECTS.find((k) => text.startsWith(`${k} `) && text.endsWith('{'));
      if (other) {
        const name = text.slice(other.length, -1).trim();
        if (!/^\S+$/.test(name)) throw fail(`expected '${other} NAME {'`);
        top.table.objects.push({ kind: other, name, line: line.no });
        stack.push({ kind: 'object' });
        continue;
      }
      if (/^(flags|comment)\s+\S/.test(text)) continue;
      throw fail("expected 'chain NAME {', 'set NAME {', 'map NAME {' or '}' inside a table");
    }
    if (top.kind === 'object') {
      if (text.endsWith('{')) stack.push({ kind: 'object' });
      continue;
    }
    // A set's elements (and very long rules) may wrap over several lines: join until balanced.
    while (braceBalance(text) > 0 && n + 1 < lines.length) {
      n++;
      text = `${text} ${lines[n].text.trim()}`;
    }
    if (braceBalance(text) !== 0) throw fail("unbalanced '{' (truncated output?)");
    if (top.kind === 'set') {
      const m = /^([a-z][a-z-]*)\s*(?:=\s*)?(.*)$/.exec(text);
      if (!m) throw fail('expected a set property line');
      const [, key, value] = m!;
      if (key === 'elements') {
        top.set.elements = groupElements(value);
        if (top.set.entries) {
          top.set.entries = top.set.elements.map((e) => {
            const kv = /^(.+?) : (.+)$/.exec(e);
            if (!kv) throw fail(`expected a map element 'KEY : VALUE', got "${e}"`);
            return { key: kv![1], value: kv![2] };
          });
        }
      } else {
        top.set.properties[key] = value.replace(/;$/, '');
      }
      continue;
    }
    // chain body
    const chain = top.chain;
    const header = /^type\s+(\S+)\s+hook\s+(\S+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);(?:\s*policy\s+(\S+);)?$/.exec(text);
    if (header) {
      if (chain.rules.length || chain.type) throw fail('chain type line after rules or twice');
      chain.type = header[1];
      chain.hook = header[2];
      chain.priority = header[3].trim();
      chain.priorityValue = priorityValue(chain.priority);
      chain.policy = header[4] ?? null;
      continue;
    }
    if (/^(type|policy)\s/.test(text)) throw fail("expected 'type T hook H priority P; [policy X;]'");
    if (/^comment\s+"[^"]*"$/.test(text) && chain.rules.length === 0) continue;
    chain.rules.push(parseRule(text, handle, line));
  }
  if (stack.length) {
    throw new ParseError(`${stack.length} block(s) not closed by '}' (truncated output?)`, lastLine?.no ?? 0, lastLine?.text);
  }
  return { format: 'nft', tables };
}

export const nftParser: TextParser<NftRuleset> = {
  id: 'nft',
  description: 'nft [-a] list ruleset: tables, sets/maps, chains (type/hook/priority/policy), rules with matches, NAT targets, verdicts, counters',
  kind: 'text',
  parse: parseNftRuleset,
};
