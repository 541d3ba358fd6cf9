import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeNParser } from '../../src/parsers/route-n.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/route-n', name), 'utf8');
const parse = (text: string) => routeNParser.parse(text);

describe('route-n', () => {
  it('reads the default gateway, prefixes from genmasks and reject routes', () => {
    const { routes, family } = parse(fixture('fx3lab--rs1.out'));
    expect(family).toBe('inet');
    expect(routes[0]).toMatchObject({ destination: '0.0.0.0', isDefault: true, gateway: '10.91.2.1', prefix: 0, viaGateway: true, iface: 'eth0' });
    expect(routes[1]).toMatchObject({ destination: '10.91.2.0', gateway: null, prefix: 24, viaGateway: false });
    expect(routes[2]).toMatchObject({ destination: '10.91.50.0', reject: true, gateway: null, ref: null, iface: null });
    expect(routes[5].metric).toBe(50);
  });

  it('reads localized headers (de, fr) to the same routes', () => {
    const plain = parse(fixture('fx3lab--rs1.out')).routes;
    expect(parse(fixture('fx3lab--rs1-de.out')).routes).toEqual(plain);
    expect(parse(fixture('fx3lab--rs1-fr.out')).routes).toEqual(plain);
    expect(parse(fixture('fx3lab--rs1-de.out')).title).toBe('Kernel-IP-Routentabelle');
  });

  it('reads name forms: default and host names as gateway', () => {
    const { routes } = parse(fixture('jc--ubuntu-18.04-route.out'));
    expect(routes[0]).toMatchObject({ destination: 'default', isDefault: true, gateway: '_gateway', metric: 100 });
    expect(routes[2]).toMatchObject({ destination: '_gateway', hostRoute: true, prefix: 32 });
  });

  it('reads the IPv6 table', () => {
    const { routes, family } = parse(fixture('fx3lab--v6.out'));
    expect(family).toBe('inet6');
    expect(routes.find((r) => r.isDefault)).toMatchObject({ destination: '::/0', gateway: 'fd91:2::1', metric: 1024 });
  });

  it("refuses netstat -rn's columns and a row with a missing column", () => {
    const netstat = readFileSync(join(import.meta.dirname, '../../fixtures/parsers/netstat-rn/fx3lab--rs1.out'), 'utf8');
    expect(() => parse(netstat)).toThrow(/line 2/);
    const lines = fixture('fx3lab--rs1.out').split('\n');
    lines[3] = lines[3].replace(/\s+eth0$/, '');
    expect(() => parse(lines.join('\n'))).toThrow(ParseError);
    expect(() => parse(lines.join('\n'))).toThrow(/line 4/);
  });
});
