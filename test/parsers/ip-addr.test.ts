import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipAddrParser } from '../../src/parsers/ip-addr.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-addr', name), 'utf8');
const parse = (text: string) => ipAddrParser.parse(text);

describe('ip-addr', () => {
  it('finds the VIP as a /32 with its label on the director', () => {
    const { addresses } = parse(fixture('fx3lab--director.out'));
    expect(addresses.find((a) => a.address === '10.91.1.100')).toMatchObject({ ifindex: 2, ifname: 'ext', prefix: 32, label: 'ext:vip', scope: 'global', broadcast: null });
    expect(addresses.find((a) => a.address === '10.91.2.1')).toMatchObject({ ifname: 'int', prefix: 24, broadcast: '10.91.2.255' });
    expect(addresses.filter((a) => a.family === 'inet6').every((a) => a.label === null)).toBe(true);
  });

  it('marks secondary addresses and keeps IPv6 flags', () => {
    const { addresses } = parse(fixture('fx3lab--rs1.out'));
    expect(addresses.find((a) => a.address === '10.91.2.21')).toMatchObject({ secondary: true, flags: ['secondary'] });
    expect(addresses.find((a) => a.address === 'fd91:2::11')).toMatchObject({ family: 'inet6', prefix: 64, flags: ['nodad'], validLft: 'forever' });
  });

  it('refuses a line cut before its lifetimes and an unknown flag, naming the line', () => {
    const lines = fixture('fx3lab--rs1.out').split('\n');
    expect(() => parse(`${lines[0]}\n${lines[2].split('\\')[0]}\n`)).toThrow(/line 2/);
    expect(() => parse(lines[2].replace('scope global', 'scope global shiny'))).toThrow(/unknown address attribute 'shiny'/);
  });
});
