import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipRouteParser } from '../../src/parsers/ip-route.js';
import { ParseError } from '../../src/model/parse-error.js';

const dir = join(import.meta.dirname, '../../fixtures/parsers/ip-route');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');
const parse = (text: string) => ipRouteParser.parse(text);

describe('ip-route', () => {
  it('reads types, destinations and attributes of table all, tagging each route with its table', () => {
    const { routes } = parse(fixture('fx3lab--table-all.out'));
    expect(routes[0]).toMatchObject({ type: 'unicast', destination: 'default', via: '10.91.2.1', dev: 'eth0', table: '100', family: 'inet' });
    expect(routes[1]).toMatchObject({ destination: 'default', table: null });
    expect(routes.filter((r) => r.type === 'unreachable').map((r) => r.destination)).toEqual(['10.91.50.0/24', 'fd91:50::/64']);
    expect(routes.find((r) => r.destination === '10.91.61.0/24')).toMatchObject({ onlink: true, via: '10.91.2.200' });
    expect(routes.find((r) => r.destination === '10.91.60.0/24')).toMatchObject({ proto: 'static', metric: 50 });
    expect(routes.find((r) => r.destination === 'ff00::/8')).toMatchObject({ type: 'multicast', family: 'inet6', table: 'local' });
  });

  it('keeps named tables by name (rt_tables "100 lvs")', () => {
    expect(parse(fixture('fx3lab--named-table-all.out')).routes[0]).toMatchObject({ table: 'lvs', via: '10.91.2.1' });
  });

  it('attaches a cache continuation line to its route', () => {
    const [r] = parse(fixture('fx3lab--cached-table-all.out')).routes;
    expect(r.cache).toEqual({ flags: ['redirected'] });
    expect(r.expiresSeconds).toBe(291);
  });

  it('reads linkdown and an empty table', () => {
    expect(parse(fixture('jc--centos-7.7.out')).routes[3].linkdown).toBe(true);
    expect(parse(fixture('fx3lab--empty.out')).routes).toEqual([]);
  });

  it('refuses the seed paste whose addresses were replaced by placeholders', () => {
    const text = fixture('rejected/seed--table-136.out');
    expect(() => parse(text)).toThrow(ParseError);
    expect(() => parse(text)).toThrow(/^line 1: /);
  });

  it('refuses a continuation line of an unknown kind and a bad expiry', () => {
    expect(() => parse('default via 10.0.0.1 dev eth0\n    weird stuff\n')).toThrow(/line 2/);
    expect(() => parse('10.0.0.1 via 10.0.0.2 dev eth0\n    cache expires later\n')).toThrow(/line 2: expected an expiry/);
  });
});
