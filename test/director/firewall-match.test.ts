import { describe, expect, it } from 'vitest';
import { firewallHitsIptables, firewallHitsNft, type Flow } from '../../src/director/firewall-match.js';
import { iptablesSaveParser } from '../../src/parsers/iptables-save.js';
import { nftParser } from '../../src/parsers/nft.js';
import { fixtureText } from '../parsers/director-fixture-text.js';

const director = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-nft-1.8.9--director-nat-lb-counters.out'));
const realserver = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-legacy-1.8.9--realserver-reject-counters.out'));
const nftDirector = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--director-numgen.out'));
const nftRealserver = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--realserver-inet-handles.out'));

const smtp: Flow = { protocol: 'tcp', src: '172.31.4.2', dst: '10.44.1.11', sport: 40000, dport: 25, hook: 'forward', inIface: 'd-ext', outIface: 'br-int' };

describe('firewall rules that can drop a flow (iptables)', () => {
  it('a DROP reached through a user chain: uncertain while conntrack state is unknown', () => {
    const hits = firewallHitsIptables(director, smtp);
    expect(hits).toEqual([{
      kind: 'rule', verdict: 'DROP', rejectWith: null, table: 'filter', chain: 'LOGDROP', line: 32, text: '-A LOGDROP -j DROP',
      counters: { packets: 1, bytes: 60 }, certain: false,
      unevaluated: ['-m conntrack --ctstate RELATED,ESTABLISHED', '-m conntrack --ctstate DNAT'], source: 'iptables',
    }]);
  });

  it('the same DROP is certain for a new, un-DNATed packet', () => {
    const [hit] = firewallHitsIptables(director, { ...smtp, ctState: 'new', dnat: false });
    expect([hit.line, hit.certain, hit.unevaluated]).toEqual([32, true, []]);
  });

  it('a new DNATed packet to VIP:80 is accepted: no hit', () => {
    expect(firewallHitsIptables(director, { ...smtp, dport: 80, ctState: 'new', dnat: true })).toEqual([]);
  });

  it('the DROP policy counts when only accept rules with unknown matches stand before it', () => {
    const reply: Flow = { protocol: 'tcp', src: '10.44.1.11', dst: '172.31.4.2', sport: 80, dport: 40000, hook: 'forward' };
    const [policy] = firewallHitsIptables(director, reply);
    expect(policy).toMatchObject({ kind: 'policy', verdict: 'DROP', chain: 'FORWARD', line: 22, certain: false });
    expect(policy.unevaluated).toContain('-o d-ext');
  });

  it('the realserver REJECT with its reject-with and counters', () => {
    const hits = firewallHitsIptables(realserver, { protocol: 'tcp', src: '172.31.4.2', dst: '10.44.1.12', dport: 80, hook: 'input', inIface: 'eth0' });
    expect(hits.map((h) => [h.verdict, h.rejectWith, h.line, h.certain, h.counters?.packets])).toEqual([['REJECT', 'icmp-admin-prohibited', 8, true, 2]]);
    const other = firewallHitsIptables(realserver, { protocol: 'tcp', src: '10.44.1.1', dst: '10.44.1.12', dport: 80, hook: 'input', inIface: 'eth0' });
    expect(other.map((h) => h.line)).toEqual([11]);
    expect(other[0].certain).toBe(false);
  });
});

describe('firewall rules that can drop a flow (nft)', () => {
  it('a drop rule in a policy-drop forward chain', () => {
    const hits = firewallHitsNft(nftDirector, { ...smtp, ctState: 'new', dnat: false });
    expect(hits.map((h) => [h.kind, h.line, h.text, h.certain])).toEqual([['rule', 39, 'tcp dport 25 counter packets 1 bytes 60 drop', true]]);
  });

  it('a source in a named set: the set is resolved', () => {
    const hits = firewallHitsNft(nftDirector, { ...smtp, src: '172.31.4.201', dport: 80, ctState: 'new', dnat: false });
    expect(hits[0]).toMatchObject({ line: 38, verdict: 'DROP', certain: true });
    expect(firewallHitsNft(nftDirector, { ...smtp, src: '172.31.4.9', dport: 80, ctState: 'new', dnat: true })).toEqual([]);
  });

  it('reject codes on the input hook, and the realserver icmpx reject', () => {
    const input = firewallHitsNft(nftDirector, { protocol: 'tcp', src: '172.31.4.2', dst: '172.31.4.1', dport: 24, hook: 'input' });
    expect(input.map((h) => [h.verdict, h.rejectWith])).toEqual([['REJECT', 'icmp admin-prohibited']]);
    const rs = firewallHitsNft(nftRealserver, { protocol: 'tcp', src: '172.31.4.2', dst: '10.44.1.13', dport: 8080, hook: 'input', inIface: 'eth0', ctState: 'new' });
    expect(rs.map((h) => [h.rejectWith, h.line, h.certain, h.counters?.packets])).toEqual([['icmpx admin-prohibited', 7, true, 2]]);
  });

  it('an inet policy drop reached by a flow nothing accepts', () => {
    const hits = firewallHitsNft(nftRealserver, { protocol: 'tcp', src: '10.44.1.1', dst: '10.44.1.13', dport: 22, hook: 'input', inIface: 'eth0', ctState: 'new' });
    expect(hits).toEqual([expect.objectContaining({ kind: 'policy', verdict: 'DROP', table: 'inet filter', chain: 'input', certain: true })]);
  });
});
