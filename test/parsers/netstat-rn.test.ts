import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netstatRnParser } from '../../src/parsers/netstat-rn.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/netstat-rn', name), 'utf8');
const parse = (text: string) => netstatRnParser.parse(text);

describe('netstat-rn', () => {
  it('reads MSS/Window/irtt rows and the director route via the second router', () => {
    const { routes } = parse(fixture('fx3lab--director.out'));
    expect(routes.map((r) => [r.destination, r.prefix, r.gateway, r.iface])).toEqual([
      ['10.91.1.0', 24, null, 'ext'], ['10.91.2.0', 24, null, 'int'], ['10.91.3.0', 24, '10.91.2.254', 'int'],
    ]);
    expect(routes[0]).toMatchObject({ mss: 0, window: 0, irtt: 0, metric: null });
  });

  it('reads German and French headers (LC_ALL=de_DE/fr_FR) to the same routes', () => {
    const plain = parse(fixture('fx3lab--rs1.out')).routes;
    expect(parse(fixture('fx3lab--rs1-de.out')).routes).toEqual(plain);
    expect(parse(fixture('fx3lab--rs1-fr.out')).routes).toEqual(plain);
    expect(parse(fixture('fx3lab--rs1-de-names.out')).routes[0]).toMatchObject({ destination: 'default', isDefault: true });
  });

  it('keeps reject routes with "-" columns as nulls', () => {
    expect(parse(fixture('fx3lab--rs1.out')).routes[2]).toMatchObject({ reject: true, mss: null, window: null, irtt: null, iface: null });
  });

  for (const name of ['seed--realserver-netstat-rn.out', 'seed--realserver-netstat-r.out', 'seed--realserver-netstat-r-after.out']) {
    it(`refuses the seed paste ${name} (rows joined into the header line, addresses stripped)`, () => {
      const text = fixture(`rejected/${name}`);
      expect(() => parse(text)).toThrow(ParseError);
      expect(() => parse(text)).toThrow(/^line 2: /);
    });
  }
});
