// Random, truncated and mangled inputs built from real fixtures, for the IPVS parsers'
// property tests: whatever comes in, a parser returns or throws ParseError, and finishes.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ParseError } from '../../src/model/parse-error.js';

export function fixtureTexts(parserId: string): string[] {
  const dir = join(import.meta.dirname, '../../fixtures/parsers', parserId);
  return readdirSync(dir).filter((f) => f.endsWith('.out')).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

const noise = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(' ', '\t', '\n', '\r\n', ':', '[', ']', '->', '-1', '99999999999999999999', 'FWM', 'TCP', 'K', 'persistent', '(', ')', '\u0000', 'é'),
);

/** One real text, then mangled: cut, lines dropped/duplicated/swapped, characters replaced or inserted. */
export function mangled(texts: string[]): fc.Arbitrary<string> {
  const base = fc.constantFrom(...texts);
  return fc.oneof(
    fc.tuple(base, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
    fc.tuple(base, fc.nat(), fc.nat()).map(([t, a, b]) => {
      const lines = t.split('\n');
      const i = a % lines.length;
      const j = b % lines.length;
      return [...lines.slice(0, i), lines[j], ...lines.slice(i)].join('\n');
    }),
    fc.tuple(base, fc.nat()).map(([t, a]) => {
      const lines = t.split('\n');
      lines.splice(a % lines.length, 1);
      return lines.join('\n');
    }),
    fc.tuple(base, fc.array(fc.tuple(fc.nat(), noise), { minLength: 1, maxLength: 6 })).map(([t, edits]) =>
      edits.reduce((s, [at, ins]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i + (at % 3 === 0 ? 1 : 0));
      }, t),
    ),
    fc.string({ maxLength: 300 }),
    fc.array(fc.oneof(noise, base.map((t) => t.split('\n')[0] ?? '')), { maxLength: 30 }).map((parts) => parts.join('')),
  );
}

/** The property: only ParseError may escape. */
export function onlyParseError(parse: (text: string) => unknown): (text: string) => void {
  return (text) => {
    try {
      parse(text);
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
    }
  };
}
