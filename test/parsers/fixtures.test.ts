// Every parser is proven on real outputs: fixtures/parsers/<parser-id>/<source>--<case>.out
// (or .pcap) with the expected typed result beside it as .json. SOURCES.md in each folder
// names where every fixture came from. Regenerate expectations only with
// `npm run fixtures:update` and review the diff.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parserRegistry, parseWith } from '../../src/parsers/index.js';

const root = join(import.meta.dirname, '../../fixtures/parsers');
const dirs = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];

describe('parser fixtures', () => {
  it('every registered parser has at least one fixture pair', () => {
    const missing = Object.keys(parserRegistry).filter((id) => {
      const dir = join(root, id);
      return !existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('.json'));
    });
    expect(missing).toEqual([]);
  });

  for (const id of dirs) {
    const dir = join(root, id);
    const inputs = readdirSync(dir).filter((f) => /\.(out|pcap)$/.test(f)).sort();
    describe(id, () => {
      it('is a registered parser id', () => {
        expect(Object.keys(parserRegistry)).toContain(id);
      });
      const sources = existsSync(join(dir, 'SOURCES.md')) ? readFileSync(join(dir, 'SOURCES.md'), 'utf8') : '';
      for (const input of inputs) {
        const stem = input.replace(/\.(out|pcap)$/, '');
        it(`${input}`, async () => {
          expect(input).toMatch(/^[a-z0-9.-]+--[a-z0-9.-]+\.(out|pcap)$/);
          expect(sources, `${id}/SOURCES.md must name where ${input} came from`).toContain(input);
          const expectedPath = join(dir, `${stem}.json`);
          const actual = JSON.parse(JSON.stringify(await parseWith(id, readFileSync(join(dir, input)))));
          if (process.env.UPDATE_FIXTURES === '1') {
            writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
            return;
          }
          expect(existsSync(expectedPath), `${stem}.json is missing`).toBe(true);
          expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
        });
      }
    });
  }
});
