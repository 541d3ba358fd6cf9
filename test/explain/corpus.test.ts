// Issue 14's measure: over every real output of the parser fixtures (fixtures/parsers/<id>/,
// lab captures and public pastes, each named in its SOURCES.md), the detector alone -- no
// command, as `parse --auto` and `explain` meet a paste -- must read at least 98 % exactly
// (the reviewed .json), and never read one as something else with confidence: a text it does
// not read exactly must be refused, not misread.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detect } from '../../src/explain/detect.js';

const root = join(import.meta.dirname, '../../fixtures/parsers');

/** The samples: every .out with its expected reading, by parser id (pcap is binary, not pasted). */
function corpus(): { id: string; file: string; text: string; expected: unknown }[] {
  const out: { id: string; file: string; text: string; expected: unknown }[] = [];
  for (const id of readdirSync(root).sort()) {
    const dir = join(root, id);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.out')).sort()) {
      const expectedPath = join(dir, f.replace(/\.out$/, '.json'));
      if (!existsSync(expectedPath)) continue;
      out.push({ id, file: `${id}/${f}`, text: readFileSync(join(dir, f), 'utf8'), expected: JSON.parse(readFileSync(expectedPath, 'utf8')) });
    }
  }
  return out;
}

/** route -n and netstat -rn print the same IPv6 table: either reading is the same fact. */
function sameReading(a: unknown, b: unknown): boolean {
  const strip = (v: unknown): unknown => (v && typeof v === 'object' ? { ...(v as object), format: undefined } : v);
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

describe('detection over the real corpus', () => {
  const samples = corpus();
  const outcomes = samples.map((s) => {
    const found = detect(s.text);
    const result = found.parser === null ? null : JSON.parse(JSON.stringify(found.result));
    const exact = found.parser !== null && (found.parser === s.id ? JSON.stringify(result) === JSON.stringify(s.expected) : sameReading(result, s.expected));
    return { ...s, parser: found.parser, exact, refused: found.parser === null };
  });

  it('has a corpus worth measuring', () => {
    expect(samples.length).toBeGreaterThan(200);
  });

  it('reads at least 98 % of the clean real outputs exactly, by content alone', () => {
    const exact = outcomes.filter((o) => o.exact).length;
    const missed = outcomes.filter((o) => !o.exact).map((o) => `${o.file} -> ${o.parser ?? 'refused'}`);
    expect(exact / samples.length, `read exactly ${exact}/${samples.length}; not: ${missed.join(', ')}`).toBeGreaterThanOrEqual(0.98);
  });

  it('never reads a sample wrongly with confidence: what is not read exactly is refused', () => {
    const wrong = outcomes.filter((o) => !o.exact && !o.refused).map((o) => `${o.file} read as ${o.parser}`);
    expect(wrong).toEqual([]);
  });
});
