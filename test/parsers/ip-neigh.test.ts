import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { holdsMac, ipNeighParser } from '../../src/parsers/ip-neigh.js';
import { ParseError } from '../../src/model/parse-error.js';
import { detect, parserForCommand } from '../../src/explain/detect.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-neigh', name), 'utf8');
const parse = (text: string) => ipNeighParser.parse(text);

describe('ip-neigh', () => {
  it('reads entries with and without a MAC, and which ones the kernel sends with at once', () => {
    const { entries } = parse(fixture('lab--director-delay.out'));
    expect(entries.map((e) => [e.address, e.dev, e.states.join(','), holdsMac(e)])).toEqual([
      ['10.51.2.11', 't-int', 'INCOMPLETE', false],
      ['10.51.2.254', 't-int', 'STALE', true],
      ['10.51.2.12', 't-int', 'DELAY', true],
      ['10.51.2.13', 't-int', 'STALE', true],
      ['10.51.1.10', 't-ext', 'STALE', true],
      ['10.51.254.1', 't-mgmt', 'REACHABLE', true],
    ]);
    expect(entries[2].lladdr).toBe('02:1e:b5:3b:1f:12');
    const failed = parse(fixture('lab--director-failed.out')).entries[0];
    expect(failed).toMatchObject({ address: '10.51.2.11', lladdr: null, states: ['FAILED'], line: 1 });
    expect(holdsMac(failed)).toBe(false);
    const permanent = parse(fixture('lab--client-permanent.out')).entries.find((e) => e.address === '10.51.1.1')!;
    expect(permanent.states).toEqual(['PERMANENT']);
    expect(holdsMac(permanent)).toBe(true);
  });

  it('an empty table is no entries', () => {
    expect(parse('')).toEqual({ format: 'ip-neigh', entries: [] });
  });

  // Each edited from a real line of lab--director-delay.out, as a cut or foreign output would be.
  it('refuses what is not a neighbour entry, naming the line', () => {
    const lines = fixture('lab--director-delay.out').split('\n');
    const refuse = (text: string, line: number, message: RegExp) => {
      let error: unknown;
      try {
        parse(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).line).toBe(line);
      expect((error as ParseError).message).toMatch(message);
    };
    refuse([lines[0], lines[2].replace(' DELAY', '')].join('\n'), 2, /expected a state/);
    refuse([lines[0], lines[2].replace(/lladdr \S+/, 'lladdr')].join('\n'), 2, /link-layer address after lladdr/);
    refuse(lines[2].replace('dev ', 'via '), 1, /'dev IFNAME'/);
    refuse(lines[2].replace('10.51.2.12', 'rs2'), 1, /starting with its address/);
    refuse(lines[2].replace('DELAY', 'DELAYED'), 1, /unknown neighbour keyword 'DELAYED'/);
  });

  it('is what a pasted `ip neigh` is read with, by its command or by its content alone', () => {
    for (const command of ['ip -4 neigh show', 'ip neigh', 'ip n', 'ip neighbour show dev t-int', '/sbin/ip neighbor']) expect(parserForCommand(command), command).toBe('ip-neigh');
    expect(parserForCommand('ip ntable show')).toBeNull();
    const found = detect(fixture('lab--director-failed.out'));
    expect(found).toMatchObject({ parser: 'ip-neigh', by: 'content' });
  });
});
