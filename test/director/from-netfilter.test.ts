import { describe, expect, it } from 'vitest';
import { netfilterFromIptables, netfilterFromNft, virtualServicesFromIptables, virtualServicesFromNft } from '../../src/director/from-netfilter.js';
import { iptablesSaveParser } from '../../src/parsers/iptables-save.js';
import { nftParser } from '../../src/parsers/nft.js';
import { fixtureText } from '../parsers/director-fixture-text.js';

const iptables = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-nft-1.8.9--director-nat-lb-counters.out'));
const nft = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--director-numgen.out'));
const translated = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--director-iptables-nft-translated.out'));

const roundRobin = [
  { address: '10.44.1.11', port: 80, forward: 'Masq', weight: 1 },
  { address: '10.44.1.12', port: 80, forward: 'Masq', weight: 1 },
  { address: '10.44.1.13', port: 8080, forward: 'Masq', weight: 1 },
];

const strip = <T extends { evidence: unknown }>(s: T): Omit<T, 'evidence'> => {
  const { evidence: _evidence, ...rest } = s;
  return rest;
};

describe('virtual services from iptables DNAT', () => {
  const services = virtualServicesFromIptables(iptables);

  it('statistic nth round robin over a user chain, with the port remapped on rs3', () => {
    expect(strip(services[0])).toEqual({
      source: 'iptables', protocol: 'TCP', address: '172.31.4.10', port: 80, fwmark: null, scheduler: 'nth', persistent: null,
      destinations: roundRobin,
    });
    expect(services[0].evidence.map((e) => [e.chain, e.line, e.counters?.packets])).toEqual([
      ['PREROUTING', 42, 7], ['LVS-VIP80', 50, 3], ['LVS-VIP80', 51, 2], ['LVS-VIP80', 52, 2],
    ]);
  });

  it('random split, single UDP DNAT keeping the port, and a fwmark service', () => {
    expect(services.slice(1).map((s) => [s.protocol, s.address, s.port, s.fwmark, s.scheduler, s.destinations.map((d) => `${d.address}:${d.port}/${d.weight}`)])).toEqual([
      ['TCP', '172.31.4.10', 81, null, 'random', ['10.44.1.11:80/1', '10.44.1.12:80/1']],
      ['UDP', '172.31.4.10', 53, null, 'single', ['10.44.1.11:null/1']],
      ['FWM', null, null, 1, 'single', ['10.44.1.12:null/1']],
    ]);
  });

  it('reports the reply SNAT/MASQUERADE rules and the mangle MARK rules', () => {
    const d = netfilterFromIptables(iptables);
    expect(d.sourceNat.map((s) => [s.kind, s.source, s.outIface, s.sourcePorts, s.toSource, s.rule.line])).toEqual([
      ['SNAT', '10.44.1.0/24', 'd-ext', ['80'], '172.31.4.10', 47],
      ['SNAT', '10.44.1.13/32', 'd-ext', ['8080'], '172.31.4.10:80', 48],
      ['MASQUERADE', '10.44.1.0/24', 'd-ext', [], null, 49],
    ]);
    expect(d.sourceNat[2].destinationNegated).toBe(true);
    expect(d.fwmarks.map((m) => [m.mark, m.mask, m.destination, m.destinationPorts, m.rule.counters?.packets])).toEqual([
      [1, 0xffffffff, '172.31.4.10/32', ['443'], 1],
      [2, 0xffffffff, '172.31.4.10/32', ['8000:8100'], 0],
    ]);
    expect(d.unrecognised).toEqual([]);
  });
});

describe('virtual services from nft', () => {
  it('numgen inc map, numgen random map, a named map, single DNATs and a fwmark service', () => {
    const services = virtualServicesFromNft(nft);
    expect(strip(services[0])).toEqual({
      source: 'nft', protocol: 'TCP', address: '172.31.4.10', port: 80, fwmark: null, scheduler: 'numgen', persistent: null,
      destinations: roundRobin,
    });
    expect(services[0].evidence).toEqual([{ table: 'ip lvs', chain: 'prerouting', line: 20, text: expect.stringContaining('numgen inc mod 3'), counters: { packets: 7, bytes: 420 } }]);
    expect(services.slice(1).map((s) => [s.protocol, s.port, s.fwmark, s.scheduler, s.destinations.map((d) => `${d.address}:${d.port}`)])).toEqual([
      ['TCP', 81, null, 'random', ['10.44.1.11:null', '10.44.1.12:null']],
      ['TCP', 8080, null, 'single', ['10.44.1.13:null']],
      ['TCP', 82, null, 'single', ['10.44.1.13:8080']],
      ['UDP', 53, null, 'single', ['10.44.1.11:null']],
      ['FWM', null, 1, 'single', ['10.44.1.12:null']],
    ]);
  });

  it('reports snat/masquerade and meta mark set', () => {
    const d = netfilterFromNft(nft);
    expect(d.sourceNat.map((s) => [s.kind, s.source, s.outIface, s.sourcePorts, s.toSource])).toEqual([
      ['SNAT', '10.44.1.0/24', 'd-ext', ['80', '8080'], '172.31.4.10'],
      ['MASQUERADE', '10.44.1.0/24', 'd-ext', [], null],
    ]);
    expect(d.fwmarks.map((m) => [m.mark, m.destination, m.protocol, m.destinationPorts])).toEqual([[1, '172.31.4.10', 'tcp', ['443']]]);
  });

  it('reads iptables-nft rules as nft shows them: numgen inc matches are nth, meta random is random', () => {
    const services = virtualServicesFromNft(translated);
    expect(strip(services[0])).toEqual({
      source: 'nft', protocol: 'TCP', address: '172.31.4.10', port: 80, fwmark: null, scheduler: 'nth', persistent: null,
      destinations: roundRobin,
    });
    expect(services[1]).toMatchObject({ port: 81, scheduler: 'random', destinations: [{ weight: 1 }, { weight: 1 }] });
  });
});
