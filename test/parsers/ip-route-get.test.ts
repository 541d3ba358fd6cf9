import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipRouteGetParser } from '../../src/parsers/ip-route-get.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-route-get', name), 'utf8');
const parse = (text: string) => ipRouteGetParser.parse(text);

describe('ip-route-get', () => {
  it('reads a route changed by a real ICMP redirect from its cache line', () => {
    const [r] = parse(fixture('fx3lab--redirected-from-rip.out')).results;
    expect(r).toMatchObject({ destination: '10.91.3.10', from: '10.91.2.11', via: '10.91.2.254', dev: 'eth0', table: '100', uid: 0 });
    expect(r.redirected).toBe(true);
    expect(r.cacheFlags).toEqual(['redirected']);
    expect(r.expiresSeconds).toBe(294);
    expect(r.error).toBeNull();
  });

  it('tells a forwarding box that would send a redirect (<redirect>) from a redirected host', () => {
    const [r] = parse(fixture('fx3lab--iif-redirect-same-dev.out')).results;
    expect(r).toMatchObject({ dev: 'int', iif: 'int', redirected: false, cacheFlags: ['redirect'] });
  });

  it('keeps the route type of local and broadcast answers', () => {
    expect(parse(fixture('fx3lab--local-address.out')).results[0]).toMatchObject({ type: 'local', dev: 'lo', table: 'local', cacheFlags: ['local'] });
    expect(parse(fixture('fx3lab--broadcast.out')).results[0]).toMatchObject({ type: 'broadcast', cacheFlags: ['local', 'brd'] });
  });

  it('turns RTNETLINK refusals into typed results', () => {
    expect(parse(fixture('fx3lab--network-unreachable.out')).results[0]).toMatchObject({ error: 'network-unreachable', destination: null, line: 1 });
    expect(parse(fixture('fx3lab--unreachable-route.out')).results[0].error).toBe('no-route-to-host');
    expect(parse(fixture('fx3lab--prohibit-route.out')).results[0].error).toBe('permission-denied');
    expect(parse(fixture('fx3lab--blackhole-route.out')).results[0].error).toBe('invalid-argument');
  });

  it('reads IPv6 answers with metric and pref', () => {
    expect(parse(fixture('fx3lab--v6-via.out')).results[0]).toMatchObject({ via: 'fd91:2::1', src: 'fd91:2::11', metric: 1024, pref: 'medium', from: '::' });
  });

  it('accepts several answers in one input, each cited by its line', () => {
    const text = fixture('fx3lab--redirected-from-rip.out') + fixture('fx3lab--unreachable-route.out');
    expect(parse(text).results.map((r) => [r.line, r.error])).toEqual([[1, null], [3, 'no-route-to-host']]);
  });

  it('refuses a truncated route, an unknown attribute, an orphan cache line and empty output, naming the line', () => {
    expect(() => parse('10.91.3.10 via\n')).toThrow(ParseError);
    expect(() => parse('10.91.3.10 via 10.91.2.1 dev eth0 frobnicate 3\n')).toThrow(/line 1: unknown route attribute 'frobnicate'/);
    expect(() => parse('    cache <redirected> expires 294sec\n')).toThrow(/line 1/);
    expect(() => parse('10.91.3.10 dev eth0\n    cache expires soon\n')).toThrow(/line 2/);
    expect(() => parse('')).toThrow(ParseError);
  });
});
