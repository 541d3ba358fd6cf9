import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipLinkParser } from '../../src/parsers/ip-link.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-link', name), 'utf8');
const parse = (text: string) => ipLinkParser.parse(text);

describe('ip-link', () => {
  it('maps ifindex to name, veth peer, bridge master, MAC and netns', () => {
    const { links } = parse(fixture('fx3lab--bridges.out'));
    expect(links.map((l) => [l.ifindex, l.ifname])).toContainEqual([7, 'rs1-eth0']);
    expect(links.find((l) => l.ifname === 'rs1-eth0')).toMatchObject({ peer: 'if2', master: 'brint', state: 'UP', mtu: 1500, mac: 'de:2f:2f:b1:d3:28', linkNetns: 'fx3-rs1', up: true });
    expect(links[0]).toMatchObject({ ifname: 'lo', linkType: 'loopback', peer: null, qlen: 1000 });
  });

  it('shows an interface set down', () => {
    const int = parse(fixture('fx3lab--director-down.out')).links.find((l) => l.ifname === 'int');
    expect(int).toMatchObject({ up: false, lowerUp: false, state: 'DOWN', flags: ['BROADCAST', 'MULTICAST'] });
  });

  it('refuses a line without its link/ part and an unknown attribute', () => {
    expect(() => parse('2: eth0: <UP> mtu 1500 qdisc noqueue state UP\n')).toThrow(/line 1/);
    expect(() => parse('2: eth0: <UP> mtu 1500 wobble 3\\    link/ether 52:11:65:6d:52:dc brd ff:ff:ff:ff:ff:ff\n')).toThrow(/unknown link attribute 'wobble'/);
  });
});
