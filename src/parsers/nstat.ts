// `nstat -asz`: a `#kernel` line, then `Name  value  rate` rows (absolute counters, zeros included).
import { ParseError } from '../model/parse-error.js';
import { contentLines } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface NstatResult {
  format: 'nstat';
  counters: Record<string, number>;
  /** The third column: the per-second rate nstat estimated from its history. */
  rates: Record<string, number>;
}

export function parseNstat(text: string): NstatResult {
  const [first, ...rows] = contentLines(text);
  if (first === undefined || first.text.trim() !== '#kernel') {
    throw new ParseError("expected the '#kernel' header of nstat", first?.no ?? 0, first?.text);
  }
  const r: NstatResult = { format: 'nstat', counters: {}, rates: {} };
  for (const line of rows) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s+(\d+)\s+(\d+(?:\.\d+)?)\s*$/.exec(line.text);
    if (!m) throw new ParseError("expected a counter row 'Name value rate'", line.no, line.text);
    if (Object.hasOwn(r.counters, m[1])) throw new ParseError(`counter '${m[1]}' appears twice`, line.no, line.text);
    r.counters[m[1]] = Number(m[2]);
    r.rates[m[1]] = Number(m[3]);
  }
  return r;
}

export const nstatParser: TextParser<NstatResult> = {
  id: 'nstat',
  description: 'nstat -asz (#kernel header, absolute SNMP/netstat counters)',
  kind: 'text',
  parse: parseNstat,
};
