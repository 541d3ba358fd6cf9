import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conntrackParser } from '../../src/parsers/conntrack.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/conntrack', name), 'utf8');
const parse = (text: string) => conntrackParser.parse(text);

describe('conntrack', () => {
  it('shows where a DNATed flow went: VIP:80 in the original tuple, RIP:8080 in the reply', () => {
    const r = parse(fixture('fx3lab--director.out'));
    expect(r).toMatchObject({ shownCount: 6, toolVersion: '1.4.7' });
    const est = r.entries.find((e) => e.state === 'ESTABLISHED');
    expect(est).toMatchObject({
      protocol: 'tcp', protocolNumber: 6, timeout: 431998, flags: ['ASSURED'], mark: 7, zone: null, use: 1,
      orig: { src: '10.91.1.10', dst: '10.91.1.100', dport: 80 }, reply: { src: '10.91.2.11', sport: 8080 },
    });
  });

  it('reads UNREPLIED flows, zones and ICMP tuples', () => {
    const { entries } = parse(fixture('fx3lab--director.out'));
    expect(entries.find((e) => e.state === 'SYN_SENT')).toMatchObject({ flags: ['UNREPLIED'], reply: { src: '10.91.2.99' }, use: 3 });
    expect(entries[0]).toMatchObject({ protocol: 'udp', state: null, zone: 5, flags: ['UNREPLIED'] });
    expect(entries.find((e) => e.protocol === 'icmp')?.orig).toMatchObject({ type: 8, code: 0, id: 17041, sport: null });
  });

  it('reads the summary when it comes last (jc) and an empty table', () => {
    expect(parse(fixture('jc--generic-list.out')).entries).toHaveLength(6);
    expect(parse(fixture('fx3lab--rs1-v6.out'))).toMatchObject({ entries: [], shownCount: 0 });
  });

  it('refuses a flow with only one tuple and a token that is not key=value', () => {
    expect(() => parse('tcp      6 118 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 mark=0 use=1\n')).toThrow(/line 1: expected an original and a reply tuple/);
    const line = fixture('fx3lab--director-stdout.out').split('\n')[2];
    expect(() => parse(`${line}\n${line.replace('[ASSURED]', 'ASSURED!')}\n`)).toThrow(ParseError);
    expect(() => parse(`${line}\n${line.replace('[ASSURED]', 'ASSURED!')}\n`)).toThrow(/line 2/);
  });
});
