import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpvsadm } from '../../src/parsers/ipvsadm.js';
import { fixtureTexts, mangled, onlyParseError } from './ipvsadm.property-helpers.js';

describe('ipvsadm parser on random and mangled input', () => {
  const texts = fixtureTexts('ipvsadm');

  it('has real fixtures to mangle', () => {
    expect(texts.length).toBeGreaterThan(10);
  });

  it('returns a typed result or throws ParseError, never anything else', () => {
    fc.assert(fc.property(mangled(texts), onlyParseError(parseIpvsadm)), { numRuns: 3000 });
  });

  it('finishes on a huge input (one fixture line repeated 20,000 times, then a 200,000-character line)', () => {
    const lines = texts.map((t) => t.split('\n'));
    const listing = lines.find((l) => l[0]?.startsWith('IP Virtual Server'));
    if (!listing) throw new Error('no listing fixture');
    const big = [...listing.slice(0, 4), ...Array<string>(20000).fill(listing[4] ?? ''), 'x'.repeat(200000)].join('\n');
    onlyParseError(parseIpvsadm)(big);
  });
});
