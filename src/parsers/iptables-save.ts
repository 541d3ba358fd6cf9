// `iptables-save` and `iptables-save -c` (also ip6tables-save, iptables-legacy-save): tables,
// chains with their policy and counters, and every rule tokenised into its basic options
// (-s -d -p -i -o -f), its match modules (-m NAME --opt value...) and its target (-j/-g).
// A rule keeps its printed text and line so that checks can quote it as evidence.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface PacketCounters {
  packets: number;
  bytes: number;
}

/** One `--name value...` (or basic `-s value`) option; `name` without its leading dashes. */
export interface IptablesOption {
  name: string;
  values: string[];
  negated: boolean;
}

export interface IptablesMatchModule {
  /** The module of `-m NAME`. */
  name: string;
  options: IptablesOption[];
}

export interface IptablesTarget {
  name: string;
  /** `-g CHAIN` (goto) rather than `-j`. */
  goto: boolean;
  options: IptablesOption[];
}

export interface IptablesRule {
  line: number;
  /** The rule as printed, without the `[packets:bytes]` prefix of `-c`. */
  text: string;
  counters: PacketCounters | null;
  /** Basic options in order: s, d, p, i, o, f. */
  basic: IptablesOption[];
  matches: IptablesMatchModule[];
  /** null for a rule without -j/-g (it only counts). */
  target: IptablesTarget | null;
}

export interface IptablesChain {
  name: string;
  line: number;
  /** ACCEPT/DROP for a built-in chain; null for a user chain (printed as `-`). */
  policy: string | null;
  counters: PacketCounters | null;
  rules: IptablesRule[];
}

export interface IptablesTable {
  name: string;
  line: number;
  chains: IptablesChain[];
}

export interface IptablesSave {
  format: 'iptables-save';
  tables: IptablesTable[];
}

const BASIC_OPTIONS = new Set(['s', 'd', 'p', 'i', 'o', 'f']);
const BASIC_WITHOUT_VALUE = new Set(['f']);

interface Token {
  text: string;
  quoted: boolean;
}

/** Splits a rule the way iptables-save quotes it: double quotes with backslash escapes. */
export function tokenizeRule(text: string, line: NumberedLine): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') { i++; continue; }
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ParseError('unterminated quoted string', line.no, line.text);
        const c = text[i];
        if (c === '\\' && i + 1 < text.length) { value += text[i + 1]; i += 2; continue; }
        if (c === '"') { i++; break; }
        value += c;
        i++;
      }
      if (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
        throw new ParseError('expected a space after a quoted string', line.no, line.text);
      }
      tokens.push({ text: value, quoted: true });
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
    tokens.push({ text: text.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}

function isOptionToken(t: Token): boolean {
  return !t.quoted && (t.text === '!' || /^-[A-Za-z]$/.test(t.text) || /^--[A-Za-z0-9]/.test(t.text));
}

function parseCounters(text: string, line: NumberedLine): PacketCounters {
  const m = /^\[(\d+):(\d+)\]$/.exec(text);
  if (!m) throw new ParseError("expected counters '[packets:bytes]'", line.no, line.text);
  return { packets: Number(m[1]), bytes: Number(m[2]) };
}

/** Parses the tokens after `-A CHAIN`. */
function parseRuleBody(tokens: Token[], line: NumberedLine): Pick<IptablesRule, 'basic' | 'matches' | 'target'> {
  const basic: IptablesOption[] = [];
  const matches: IptablesMatchModule[] = [];
  let target: IptablesTarget | null = null;
  let module: IptablesMatchModule | null = null;
  let negate = false;
  let i = 0;
  const fail = (what: string): ParseError => new ParseError(what, line.no, line.text);
  const takeValues = (): string[] => {
    const values: string[] = [];
    while (i < tokens.length && !isOptionToken(tokens[i])) values.push(tokens[i++].text);
    return values;
  };
  while (i < tokens.length) {
    const t = tokens[i++];
    if (t.quoted) throw fail(`unexpected quoted value "${t.text}" where an option was expected`);
    if (t.text === '!') {
      if (negate) throw fail("double '!'");
      negate = true;
      continue;
    }
    const short = /^-([A-Za-z])$/.exec(t.text);
    if (short) {
      const letter = short[1];
      if (letter === 'm') {
        if (negate) throw fail("'!' before -m");
        const name = tokens[i++];
        if (!name || isOptionToken(name)) throw fail('expected a match module name after -m');
        module = { name: name.text, options: [] };
        matches.push(module);
        continue;
      }
      if (letter === 'j' || letter === 'g') {
        if (negate) throw fail(`'!' before -${letter}`);
        if (target) throw fail('a second -j/-g target');
        const name = tokens[i++];
        if (!name || isOptionToken(name)) throw fail(`expected a target after -${letter}`);
        target = { name: name.text, goto: letter === 'g', options: [] };
        module = null;
        continue;
      }
      if (!BASIC_OPTIONS.has(letter)) throw fail(`unknown option ${t.text}`);
      if (target) throw fail(`basic option ${t.text} after the target`);
      const values = BASIC_WITHOUT_VALUE.has(letter) ? [] : takeValues();
      if (!BASIC_WITHOUT_VALUE.has(letter) && values.length !== 1) throw fail(`expected one value after ${t.text}`);
      basic.push({ name: letter, values, negated: negate });
      negate = false;
      module = null;
      continue;
    }
    if (t.text.startsWith('--')) {
      const option: IptablesOption = { name: t.text.slice(2), values: takeValues(), negated: negate };
      negate = false;
      if (target) target.options.push(option);
      else if (module) module.options.push(option);
      else throw fail(`option ${t.text} outside a match module or target`);
      continue;
    }
    throw fail(`unexpected token "${t.text}"`);
  }
  if (negate) throw fail("'!' at the end of the rule");
  return { basic, matches, target };
}

function parseIptablesSave(input: string): IptablesSave {
  const tables: IptablesTable[] = [];
  let table: IptablesTable | null = null;
  let lastLine: NumberedLine | null = null;
  for (const line of numberedLines(input)) {
    lastLine = line;
    const text = line.text.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (text.startsWith('*')) {
      if (table) throw new ParseError(`table ${table.name} not closed by COMMIT before a new table`, line.no, line.text);
      const name = text.slice(1);
      if (!/^[a-z_]+$/.test(name)) throw new ParseError('expected a table name after *', line.no, line.text);
      table = { name, line: line.no, chains: [] };
      tables.push(table);
      continue;
    }
    if (!table) throw new ParseError("expected a '*table' line first", line.no, line.text);
    if (text === 'COMMIT') {
      table = null;
      continue;
    }
    if (text.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+(\S+))?$/.exec(text);
      if (!m) throw new ParseError("expected a chain line ':NAME POLICY [packets:bytes]'", line.no, line.text);
      if (table.chains.some((c) => c.name === m[1])) throw new ParseError(`chain ${m[1]} declared twice`, line.no, line.text);
      if (m[2] !== '-' && !/^[A-Z]+$/.test(m[2])) throw new ParseError('expected a chain policy (ACCEPT, DROP or -)', line.no, line.text);
      table.chains.push({
        name: m[1],
        line: line.no,
        policy: m[2] === '-' ? null : m[2],
        counters: m[3] === undefined ? null : parseCounters(m[3], line),
        rules: [],
      });
      continue;
    }
    let ruleText = text;
    let counters: PacketCounters | null = null;
    if (text.startsWith('[')) {
      const end = text.indexOf(']');
      if (end < 0) throw new ParseError("expected counters '[packets:bytes]'", line.no, line.text);
      counters = parseCounters(text.slice(0, end + 1), line);
      ruleText = text.slice(end + 1).trim();
    }
    const tokens = tokenizeRule(ruleText, line);
    if (tokens.length < 2 || tokens[0].text !== '-A' || tokens[0].quoted) {
      throw new ParseError("expected a rule '-A CHAIN ...', a chain ':NAME', COMMIT or a comment", line.no, line.text);
    }
    const chain = table.chains.find((c) => c.name === tokens[1].text);
    if (!chain) throw new ParseError(`rule appends to chain ${tokens[1].text}, not declared in table ${table.name}`, line.no, line.text);
    chain.rules.push({ line: line.no, text: ruleText, counters, ...parseRuleBody(tokens.slice(2), line) });
  }
  if (table) {
    throw new ParseError(`table ${table.name} not closed by COMMIT (truncated output?)`, lastLine?.no ?? 0, lastLine?.text);
  }
  return { format: 'iptables-save', tables };
}

export const iptablesSaveParser: TextParser<IptablesSave> = {
  id: 'iptables-save',
  description: 'iptables-save [-c] / ip6tables-save: tables, chains, policies, counters and tokenised rules',
  kind: 'text',
  parse: parseIptablesSave,
};

// Small accessors shared by the director reductions and the firewall matcher.

export function basicOption(rule: IptablesRule, name: string): IptablesOption | undefined {
  return rule.basic.find((o) => o.name === name);
}

export function matchOption(rule: IptablesRule, module: string, name: string): IptablesOption | undefined {
  for (const m of rule.matches) {
    if (m.name !== module) continue;
    const o = m.options.find((x) => x.name === name);
    if (o) return o;
  }
  return undefined;
}

export function targetOption(rule: IptablesRule, name: string): IptablesOption | undefined {
  return rule.target?.options.find((o) => o.name === name);
}
