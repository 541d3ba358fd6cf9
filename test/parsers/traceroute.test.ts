import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tracerouteParser } from '../../src/parsers/traceroute.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/traceroute', name), 'utf8');
const parse = (text: string) => tracerouteParser.parse(text);

describe('traceroute', () => {
  it('reads the two-hop path realserver -> director -> client', () => {
    const r = parse(fixture('fx3lab--two-hops.out'));
    expect(r).toMatchObject({ target: '10.91.1.10', targetAddress: '10.91.1.10', maxHops: 30, packetBytes: 60, error: null });
    expect(r.hops.map((h) => [h.ttl, h.probes.map((p) => p.address)])).toEqual([
      [1, ['10.91.2.1', '10.91.2.1', '10.91.2.1']], [2, ['10.91.1.10', '10.91.1.10', '10.91.1.10']],
    ]);
    expect(r.hops[0].probes[0].rttMs).toBe(0.063);
  });

  it('keeps !X, !N and !H markers on every probe', () => {
    expect(parse(fixture('fx3lab--admin-prohibited.out')).hops[1].probes.map((p) => p.marker)).toEqual(['!X', '!X', '!X']);
    expect(parse(fixture('fx3lab--net-unreachable.out')).hops[1].probes[0]).toEqual({ address: '10.91.2.1', name: null, rttMs: 0.015, marker: '!N' });
    expect(parse(fixture('fx3lab--busybox-host-unreachable.out')).hops[1].probes[0].marker).toBe('!H');
  });

  it('reads timed-out probes as nulls', () => {
    const r = parse(fixture('fx3lab--stars.out'));
    expect(r.hops[1].probes).toEqual([
      { address: null, name: null, rttMs: null, marker: null }, { address: null, name: null, rttMs: null, marker: null },
    ]);
  });

  it('reads names without -n and the connect error', () => {
    expect(parse(fixture('fx3lab--names.out')).hops[0].probes[0]).toMatchObject({ name: '10.91.2.1', address: '10.91.2.1' });
    expect(parse(fixture('fx3lab--network-unreachable.out'))).toMatchObject({ hops: [], error: { kind: 'network-unreachable', line: 2 } });
  });

  it('refuses the seed paste whose addresses were stripped, at the header', () => {
    const text = fixture('rejected/seed--realserver-to-client.out');
    expect(() => parse(text)).toThrow(ParseError);
    expect(() => parse(text)).toThrow(/^line 1: /);
  });

  it('refuses an rtt without an address, a missing ms and TTLs going backwards', () => {
    const head = 'traceroute to 10.91.1.10 (10.91.1.10), 4 hops max, 60 byte packets\n';
    expect(() => parse(`${head} 1  0.5 ms\n`)).toThrow(/line 2/);
    expect(() => parse(`${head} 1  10.91.2.1  0.5\n`)).toThrow(/expected 'ms'/);
    expect(() => parse(`${head} 2  10.91.2.1  0.5 ms\n 1  10.91.2.1  0.5 ms\n`)).toThrow(/line 3/);
  });
});
