// Mangled, truncated and random input never makes the packet readers throw anything but a
// ParseError, and never hangs. Seeds are the real fixtures.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTcpdumpText } from '../../src/parsers/tcpdump-text.js';
import { ParseError } from '../../src/model/parse-error.js';

const text = readFileSync(join(import.meta.dirname, '../../fixtures/parsers/tcpdump/netns--any-e.out'), 'utf8');
const lines = text.split('\n');

function onlyParseError(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
  }
}

describe('tcpdump text parser under mangling', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => onlyParseError(() => parseTcpdumpText(s))), { numRuns: 500 });
  });

  it('real lines truncated, with characters replaced or deleted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: lines.length - 1 }),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 3 }),
        (i, cut, at, insert) => {
          const line = lines[i];
          const mangled = [line.slice(0, cut % (line.length + 1)), line.slice(0, at % (line.length + 1)) + insert + line.slice((at % (line.length + 1)) + 1)];
          for (const m of mangled) onlyParseError(() => parseTcpdumpText(m));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
