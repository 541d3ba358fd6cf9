// keepalived.conf, ldirectord.cf and the seed's lvs.conf.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepalivedParser } from '../../src/parsers/keepalived.js';
import { ldirectordParser } from '../../src/parsers/ldirectord.js';
import { lvsConfParser } from '../../src/parsers/lvs-conf.js';
import { ParseError } from '../../src/model/parse-error.js';
import { fixtureText } from './director-fixture-text.js';

describe('keepalived', () => {
  it('reads a NAT virtual_server, skipping vrrp and health-check blocks', () => {
    const conf = keepalivedParser.parse(fixtureText('keepalived', 'keepalived-samples--sample-nat-http-get.out'));
    expect(conf.virtualServers).toHaveLength(1);
    expect(conf.virtualServers[0]).toMatchObject({
      address: '10.10.10.2', port: 1358, scheduler: 'rr', method: 'NAT', persistenceTimeout: 50, protocol: 'TCP',
      sorryServer: { address: '192.168.200.200', port: 1358 },
    });
    expect(conf.virtualServers[0].realServers).toEqual([{ line: 35, address: '192.168.200.2', port: 1358, weight: 1, method: null, checks: ['HTTP_GET'] }]);
  });

  it('reads lvs_sched/lvs_method, fwmark services and groups', () => {
    const dr = keepalivedParser.parse(fixtureText('keepalived', 'devops-netology--lvs-sched-dr.out')).virtualServers[0];
    expect([dr.scheduler, dr.method, dr.realServers.map((r) => r.weight)]).toEqual(['rr', 'DR', [50, 50]]);
    const fw = keepalivedParser.parse(fixtureText('keepalived', 'keepalived-samples--fwmark.out')).virtualServers[0];
    expect([fw.fwmark, fw.address, fw.realServers.map((r) => r.port)]).toEqual([1, null, [null, null]]);
    const grouped = keepalivedParser.parse(fixtureText('keepalived', 'keepalived-samples--virtual-server-group.out'));
    expect(grouped.virtualServers[0].group).toBe('VSG_1');
    expect(grouped.virtualServerGroups[0].members.map((m) => m.address ?? `fwmark ${m.fwmark}`)).toEqual(
      ['10.0.0.1', '10.0.0.2', '192.168.200.1', '192.168.200.3-10', 'fwmark 1', 'fwmark 2']);
  });

  it('ignores commented-out blocks (IPv6 sample)', () => {
    const conf = keepalivedParser.parse(fixtureText('keepalived', 'keepalived-samples--ipv6.out'));
    expect(conf.virtualServers[0].realServers.map((r) => `${r.address} ${r.port}`)).toEqual(['ae00::10 25']);
  });

  it('records include lines without following them', () => {
    const text = fixtureText('keepalived', 'keepalived-samples--fwmark.out').replace('global_defs', 'include /etc/keepalived/conf.d/*.conf\nglobal_defs');
    expect(keepalivedParser.parse(text).includes).toEqual([{ line: 3, path: '/etc/keepalived/conf.d/*.conf' }]);
  });

  // No public keepalived.conf with this form was found (issue 14); keepalived's inet_stosockaddr
  // cuts the address at '/', so a real file's `virtual_server ADDR 80` line is edited to it here.
  it('reads `virtual_server ADDR/LEN PORT` as the address and port, keeping the length; refuses a length too long', () => {
    const text = fixtureText('keepalived', 'kubeinit--lb-algo-wlc-nat.out');
    const vs = keepalivedParser.parse(text.replace('virtual_server 10.23.8.80 80', 'virtual_server 10.23.8.80/32 80')).virtualServers[0];
    expect([vs.address, vs.prefixLength, vs.port, vs.realServers.length]).toEqual(['10.23.8.80', 32, 80, 3]);
    expect(() => keepalivedParser.parse(text.replace('virtual_server 10.23.8.80 80', 'virtual_server 10.23.8.80/33 80'))).toThrow(/expected a prefix length/);
  });

  it('refuses unbalanced braces and bad values of the keywords it reads', () => {
    const text = fixtureText('keepalived', 'kubeinit--lb-algo-wlc-nat.out');
    expect(() => keepalivedParser.parse(text.slice(0, text.lastIndexOf('}')))).toThrow(/not closed/);
    expect(() => keepalivedParser.parse(text.replace('lb_kind NAT', 'lb_kind MASQ'))).toThrow(ParseError);
    expect(() => keepalivedParser.parse(text.replace('real_server 172.18.1.12 80', 'real_server rs2 80'))).toThrow(/expected an IP address/);
  });
});

describe('ldirectord', () => {
  const conf = ldirectordParser.parse(fixtureText('ldirectord', 'resource-agents--sample-gate.out'));

  it('reads globals, the one active virtual service, its reals and fallback', () => {
    expect(conf.globals).toEqual({ checktimeout: '3', checkinterval: '1', autoreload: 'yes', quiescent: 'no' });
    expect(conf.virtuals).toHaveLength(1);
    const v = conf.virtuals[0];
    expect(v).toMatchObject({ endpoint: { address: '192.168.6.240', port: 80 }, scheduler: 'rr', protocol: 'tcp', persistent: null });
    expect(v.reals.map((r) => `${r.address}:${r.port} ${r.method}`)).toEqual(['192.168.6.2:80 gate', '192.168.6.3:80 gate', '192.168.6.6:80 gate']);
    expect(v.fallback).toMatchObject({ address: '127.0.0.1', port: 80, method: 'gate' });
    expect(v.options.request).toBe('"index.html"');
  });

  // No public ldirectord.cf with this form was found (issue 14); the sample's own (commented-out)
  // fwmark block writes `real=192.168.6.2 gate`, here given a trailing comment.
  it('reads `real=ADDRESS METHOD` without a port followed by a trailing # comment', () => {
    const text = fixtureText('ldirectord', 'resource-agents--sample-gate.out').replace('\treal=192.168.6.2:80 gate', '\treal=192.168.6.2 gate  # web1');
    const reals = ldirectordParser.parse(text).virtuals[0].reals;
    expect(reals[0]).toMatchObject({ address: '192.168.6.2', addressLast: null, port: null, method: 'gate', weight: null });
    expect(reals.map((r) => r.port)).toEqual([null, 80, 80]);
  });

  it('refuses a line that is not key=value and an indented line before any virtual', () => {
    expect(() => ldirectordParser.parse('checktimeout=3\nvirtual 1.2.3.4:80\n')).toThrow(/expected 'key=value'/);
    expect(() => ldirectordParser.parse('\treal=192.168.6.2:80 gate\n')).toThrow(/outside a virtual section/);
  });
});

describe('lvs-conf (the seed configure script input)', () => {
  it('reads the 5.3 one-network example', () => {
    const conf = lvsConfParser.parse(fixtureText('lvs-conf', 'seed--lvs-nat-one-network.out'));
    expect(conf.vip).toEqual({ line: 1, device: 'eth0:110', host: 'lvs', netmask: null, broadcast: null });
    expect(conf.dip?.device).toBe('eth0');
    expect(conf.services).toEqual([{
      line: 3, protocol: 't', port: 'telnet', scheduler: 'rr',
      realservers: ['realserver1', 'realserver2', 'realserver3'].map((host) => ({ host, port: 'telnet', weight: null })),
    }]);
  });

  it('refuses the seed template line whose realserver address was scrubbed ("wlc,2")', () => {
    const text = readFileSync(join(import.meta.dirname, '../../fixtures/parsers/lvs-conf/errors/seed--lvs-nat-template-scrubbed.txt'), 'utf8');
    try {
      lvsConfParser.parse(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).line).toBe(7);
      expect((error as ParseError).text).toBe('SERVICE=t 80 wlc,2');
    }
  });
});
