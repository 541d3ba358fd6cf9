import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pingParser } from '../../src/parsers/ping.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ping', name), 'utf8');
const parse = (text: string) => pingParser.parse(text);

describe('ping', () => {
  it('reads an iputils success with source address, statistics and rtt', () => {
    const r = parse(fixture('fx3lab--success-source.out'));
    expect(r).toMatchObject({ implementation: 'iputils', targetAddress: '10.91.1.10', source: '10.91.2.11', transmitted: 1, received: 1, lossPercent: 0 });
    expect(r.rtt).toEqual({ minMs: 0.098, avgMs: 0.098, maxMs: 0.098, mdevMs: 0 });
    expect(r.replies).toEqual([{ from: '10.91.1.10', fromName: null, seq: 1, ttl: 63, timeMs: 0.098, duplicate: false, line: 2 }]);
  });

  it('reads a real Redirect Host with its new next hop', () => {
    const r = parse(fixture('fx3lab--redirect-host.out'));
    expect(r.errors).toEqual([{ from: '10.91.2.1', seq: 2, kind: 'redirect-host', text: 'Redirect Host(New nexthop: 10.91.2.254)', newNexthop: '10.91.2.254', line: 3 }]);
    expect(r.received).toBe(3);
  });

  it('classifies ICMP errors from routers and from the local host', () => {
    expect(parse(fixture('fx3lab--host-unreachable.out')).errors.map((e) => [e.from, e.kind])[0]).toEqual(['10.91.2.11', 'host-unreachable']);
    expect(parse(fixture('fx3lab--host-unreachable-remote.out'))).toMatchObject({ errorCount: 2, lossPercent: 100 });
    expect(parse(fixture('fx3lab--admin-prohibited.out')).errors[0].kind).toBe('admin-prohibited');
    expect(parse(fixture('fx3lab--net-unreachable-icmp.out')).errors[0].kind).toBe('net-unreachable');
  });

  it('reports that ping could not send at all', () => {
    expect(parse(fixture('fx3lab--network-unreachable.out'))).toMatchObject({
      connectError: { kind: 'network-unreachable', syscall: 'connect', line: 1 }, transmitted: null, implementation: null,
    });
    expect(parse(fixture('fx3lab--busybox-network-unreachable.out')).connectError).toMatchObject({ kind: 'network-unreachable', syscall: 'sendto' });
  });

  it('reads BusyBox replies (seq=) and its statistics without mdev', () => {
    const r = parse(fixture('fx3lab--busybox-success.out'));
    expect(r).toMatchObject({ implementation: 'busybox', transmitted: 3, received: 3, lossPercent: 0 });
    expect(r.replies.map((x) => x.seq)).toEqual([0, 1, 2]);
    expect(r.rtt?.mdevMs).toBeNull();
    expect(parse(fixture('fx3lab--busybox-loss.out'))).toMatchObject({ received: 0, lossPercent: 100, rtt: null });
  });

  it('refuses a truncated statistics line and a line that is not ping output', () => {
    const lines = fixture('fx3lab--success.out').split('\n');
    const cut = [...lines.slice(0, 6), lines[6].slice(0, 30)].join('\n');
    expect(() => parse(cut)).toThrow(/line 7/);
    expect(() => parse(`${lines[0]}\nhello world\n`)).toThrow(ParseError);
    expect(() => parse('')).toThrow(ParseError);
  });
});
