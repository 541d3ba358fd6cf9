import { describe, expect, it } from 'vitest';
import { virtualServicesFromKeepalived, virtualServicesFromLdirectord, virtualServicesFromLvsConf } from '../../src/director/from-config.js';
import { keepalivedParser } from '../../src/parsers/keepalived.js';
import { ldirectordParser } from '../../src/parsers/ldirectord.js';
import { lvsConfParser } from '../../src/parsers/lvs-conf.js';
import { fixtureText } from '../parsers/director-fixture-text.js';

describe('virtual services from configuration files', () => {
  it('keepalived NAT: Masq destinations with their weights', () => {
    const [vs] = virtualServicesFromKeepalived(keepalivedParser.parse(fixtureText('keepalived', 'kubeinit--lb-algo-wlc-nat.out')));
    expect(vs).toEqual({
      source: 'keepalived', protocol: 'TCP', address: '10.23.8.80', port: 80, fwmark: null, scheduler: 'wlc', persistent: 600,
      destinations: ['172.18.1.11', '172.18.1.12', '172.18.1.13'].map((address) => ({ address, port: 80, forward: 'Masq', weight: 100 })),
    });
  });

  it('keepalived DR becomes Route; fwmark services keep the real servers without port', () => {
    const [dr] = virtualServicesFromKeepalived(keepalivedParser.parse(fixtureText('keepalived', 'devops-netology--lvs-sched-dr.out')));
    expect(dr.destinations.map((d) => d.forward)).toEqual(['Route', 'Route']);
    const [fw] = virtualServicesFromKeepalived(keepalivedParser.parse(fixtureText('keepalived', 'keepalived-samples--fwmark.out')));
    expect(fw).toMatchObject({ protocol: 'FWM', fwmark: 1, address: null, port: null });
    expect(fw.destinations).toEqual([
      { address: '192.168.201.100', port: null, forward: 'Masq', weight: 1 },
      { address: '192.168.201.101', port: null, forward: 'Masq', weight: 1 },
    ]);
  });

  it('keepalived group: one service per member, ranges expanded', () => {
    const services = virtualServicesFromKeepalived(keepalivedParser.parse(fixtureText('keepalived', 'keepalived-samples--virtual-server-group.out')));
    expect(services.map((s) => (s.fwmark !== null ? `FWM ${s.fwmark}` : `${s.address}:${s.port}`))).toEqual([
      '10.0.0.1:8080', '10.0.0.2:80', '192.168.200.1:1358',
      ...[3, 4, 5, 6, 7, 8, 9, 10].map((n) => `192.168.200.${n}:80`),
      'FWM 1', 'FWM 2',
    ]);
    expect(services.every((s) => s.destinations.length === 2)).toBe(true);
  });

  it('ldirectord gate becomes Route with default weight 1', () => {
    const [vs] = virtualServicesFromLdirectord(ldirectordParser.parse(fixtureText('ldirectord', 'resource-agents--sample-gate.out')));
    expect(vs).toEqual({
      source: 'ldirectord', protocol: 'TCP', address: '192.168.6.240', port: 80, fwmark: null, scheduler: 'rr', persistent: null,
      destinations: ['192.168.6.2', '192.168.6.3', '192.168.6.6'].map((address) => ({ address, port: 80, forward: 'Route', weight: 1 })),
    });
  });

  it('the seed lvs.conf: names kept, telnet resolved to 23, NAT by default', () => {
    const [vs] = virtualServicesFromLvsConf(lvsConfParser.parse(fixtureText('lvs-conf', 'seed--lvs-nat-one-network.out')));
    expect(vs).toEqual({
      source: 'lvs-conf', protocol: 'TCP', address: 'lvs', port: 23, fwmark: null, scheduler: 'rr', persistent: null,
      destinations: ['realserver1', 'realserver2', 'realserver3'].map((address) => ({ address, port: 23, forward: 'Masq', weight: 1 })),
    });
    const [noServers] = virtualServicesFromLvsConf(lvsConfParser.parse(fixtureText('lvs-conf', 'seed--lvs-nat-template-telnet.out')), { defaultForward: 'Route' });
    expect(noServers).toMatchObject({ address: null, port: 23, scheduler: 'wlc', destinations: [] });
  });
});
