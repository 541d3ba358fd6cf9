import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nstatParser } from '../../src/parsers/nstat.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/nstat', name), 'utf8');
const parse = (text: string) => nstatParser.parse(text);

describe('nstat', () => {
  it('reads the counters that prove LVS faults', () => {
    const { counters, rates } = parse(fixture('fx3lab--director.out'));
    expect(counters.IpForwDatagrams).toBe(178);
    expect(counters.IpInAddrErrors).toBe(0);
    expect(Object.keys(counters)).toHaveLength(398);
    expect(rates.IpInReceives).toBe(0);
  });

  it('refuses output without the #kernel header and a row cut short', () => {
    const text = fixture('fx3lab--director.out');
    expect(() => parse(text.split('\n').slice(1).join('\n'))).toThrow(/line 1/);
    expect(() => parse(text.replace('IpInHdrErrors                   35                 0.0', 'IpInHdrErrors                   35'))).toThrow(/line 3/);
  });
});
