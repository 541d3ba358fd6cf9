import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpvsadm, type IpvsadmListing, type IpvsadmSave } from '../../src/parsers/ipvsadm.js';
import { ParseError } from '../../src/model/parse-error.js';

const dir = join(import.meta.dirname, '../../fixtures/parsers/ipvsadm');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');
const listing = (name: string): IpvsadmListing => {
  const result = parseIpvsadm(fixture(name));
  if (result.format !== 'ipvsadm') throw new Error(`expected a listing from ${name}, got ${result.format}`);
  return result;
};

function parseErrorOf(text: string): ParseError {
  try {
    parseIpvsadm(text);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('ipvsadm: pastes the parser must refuse', () => {
  it('refuses the seed paste whose version line lost its first letter, naming line 1', () => {
    const error = parseErrorOf(fixture('rejected/seed-lvs-howto--mangled-version-line.txt'));
    expect(error.line).toBe(1);
    expect(error.text).toBe('P Virtual Server version 1.2.1 (size=4096)');
  });

  it('refuses a host name without ":PORT" that is shorter than the column (an edited paste), naming line 4', () => {
    const error = parseErrorOf(fixture('rejected/lvs-devel-mail--negative-fwmark-edited-host.txt'));
    expect(error.line).toBe(4);
  });

  it('reads the negative fwmark of ipvsadm < 1.31 as the unsigned mark it was', () => {
    const head = fixture('rejected/lvs-devel-mail--negative-fwmark-edited-host.txt').split('\n').slice(0, 3).join('\n');
    const result = parseIpvsadm(head);
    expect(result.format).toBe('ipvsadm');
    const service = (result as IpvsadmListing).services[0];
    expect(service).toMatchObject({ protocol: 'FWM', fwmark: 2882430849, fwmarkPrintedNegative: true, scheduler: 'wlc' });
    expect((result as IpvsadmListing).version).toBeNull();
  });

  it('refuses /proc/net/ip_vs text and names the right parser', () => {
    const error = parseErrorOf(readFileSync(join(dir, '../proc-ip-vs/node-exporter--tunnel-fwm.out'), 'utf8'));
    expect(error.line).toBe(4);
    expect(error.expected).toMatch(/proc-ip-vs/);
  });

  it('refuses a destination before any service', () => {
    const lines = fixture('keepalived-dr-notes-zh--wrr-persistent-route.out').split('\n');
    const error = parseErrorOf([...lines.slice(0, 3), ...lines.slice(4)].join('\n'));
    expect(error.line).toBe(4);
  });
});

describe('ipvsadm: the name forms (-L without -n)', () => {
  it('flags names cut by the 33-character service column and the 28-character destination column', () => {
    const { services } = listing('rke2-guide--names-truncated-no-dest.out');
    expect(services[0]).toMatchObject({ address: 'ip-10-45-0-1.ap-southeast-1.', port: null, truncated: true });
    expect(services[0].destinations[0]).toEqual({ address: 'master01', port: 6443, forward: 'Masq', weight: 1, activeConns: 5, inactiveConns: 19 });
    expect(services[1].destinations[0]).toMatchObject({ address: 'ip-10-44-241-66.ap-southeast', port: null, truncated: true });
    expect(services[2].destinations).toEqual([]);
  });

  it('does not trust a port printed at the column edge ("...idknet.com:50" was 5001)', () => {
    const dest = listing('loxilbdocs--stats-abbreviated-truncated-name.out').services[0].destinations[1];
    expect(dest).toMatchObject({ address: '1.31.31.31.dyn.idknet.com', port: null, truncated: true, printed: '1.31.31.31.dyn.idknet.com:50' });
  });

  it('does not trust a port cut at 59 characters in -Lc (real ipvsadm 1.31 printed port 54684 as ":54")', () => {
    const result = parseIpvsadm(fixture('ipvs-vm--table-ipvsadm-lc.out'));
    if (result.format !== 'ipvsadm-connections') throw new Error(`expected connections, got ${result.format}`);
    const first = result.connections[0];
    expect(first.client).toEqual({
      address: 'client-host-with-a-long-name.lvs-doctor.example.internal',
      port: null,
      truncated: true,
      printed: 'client-host-with-a-long-name.lvs-doctor.example.internal:54',
    });
    expect(first.virtual).toEqual({ address: 'ftp-vip', port: 'ftp' });
    // The same connection in -Lnc, taken just before: the real client port.
    const numeric = parseIpvsadm(fixture('ipvs-vm--table-ipvsadm-lnc.out'));
    if (numeric.format !== 'ipvsadm-connections') throw new Error(`expected connections, got ${numeric.format}`);
    expect(numeric.connections.map((c) => c.client.port)).toContain(54684);
    // A shorter name:port is not cut and keeps its port.
    expect(result.connections[1].client).toEqual({ address: 'fd00:10::2', port: 60678 });
  });

  it('reads a fwmark of 2^31 and more that real ipvsadm 1.31 still printed negative', () => {
    const { services } = listing('ipvs-vm--table-ipvsadm-ln.out');
    expect(services[0]).toMatchObject({ protocol: 'FWM', fwmark: 0x80000001, fwmarkPrintedNegative: true });
    const save = parseIpvsadm(fixture('ipvs-vm--table-ipvsadm-s-n.out')) as IpvsadmSave;
    expect(save.services[0]).toMatchObject({ protocol: 'FWM', fwmark: 0x80000001 });
  });

  it('keeps service names as strings and bracketed IPv6 host names as names', () => {
    const { services } = listing('k8s-ipv6-notes-ru--l-ipv6-names.out');
    expect(services[0]).toMatchObject({ address: '2001:db8:42:1::1', port: 'https', family: 'ipv6' });
    expect(services[0].destinations[0]).toMatchObject({ address: 'sas-test-k8s0.net.yandex.net', port: 6443 });
    expect(services[4]).toMatchObject({ address: 'fb-sas-test-k8s0.net.yandex.net', port: 30666, family: 'ipv6' });
  });
});

describe('ipvsadm: counters', () => {
  it('keeps abbreviated counters raw with the range they stand for', () => {
    const { stats } = listing('loxilbdocs--stats-abbreviated-truncated-name.out').services[0];
    expect(stats?.conns).toBe(401);
    expect(stats?.inBytes).toEqual({ raw: '830843K', min: 830843000, max: 830843999 });
    expect(stats?.outBytes).toEqual({ raw: '1135M', min: 1135000000, max: 1135999999 });
  });
});

describe('ipvsadm: other forms', () => {
  it('reads persistence from the default listing', () => {
    expect(listing('keepalived-dr-notes-zh--wrr-persistent-route.out').services[0]).toMatchObject({ scheduler: 'wrr', persistent: 50, persistenceMask: null });
  });

  it('reads -S rules into services with their real servers', () => {
    const save = parseIpvsadm(fixture('k8s-ipvs-notes-zh--save-grep.out')) as IpvsadmSave;
    expect(save.format).toBe('ipvsadm-save');
    expect(save.services).toHaveLength(1);
    expect(save.services[0].destinations.map((d) => d.address)).toEqual(['10.244.1.2', '10.244.1.3', '10.244.2.2']);
  });

  it('reads an `ipvsadm -R` rules file whose first line is a # comment (Debian /etc/ipvsadm.rules)', () => {
    const save = parseIpvsadm(fixture('mypjb-docker--rules-file-comment.out')) as IpvsadmSave;
    expect(save.format).toBe('ipvsadm-save');
    expect(save.services.map((s) => `${s.address}:${s.port} ${s.scheduler}`)).toEqual(
      ['192.168.1.112:http rr', '192.168.1.112:https rr', '192.168.1.112:6379 rr', '192.168.1.112:3306 rr', '192.168.1.112:27017 rr']);
    expect(save.services.map((s) => s.destinations.map((d) => `${d.address}:${d.port} ${d.forward} ${d.weight}`))).toEqual(
      [['10.0.0.64:8080 Masq 1'], ['10.0.0.64:8443 Masq 1'], ['10.0.0.64:6379 Masq 1'], ['10.0.0.64:3306 Masq 1'], ['10.0.0.64:27017 Masq 1']]);
  });

  it('refuses an -a rule whose service was never added', () => {
    const rules = fixture('k8s-ipvs-notes-zh--save-grep.out').split('\n').slice(1).join('\n');
    expect(parseErrorOf(rules).line).toBe(1);
  });

  it('turns ipvsadm error messages (from libipvs ipvs_strerror) into typed results', () => {
    expect(parseIpvsadm('No such service\n')).toEqual({ format: 'ipvsadm-error', kind: 'no-such-service', message: 'No such service' });
    expect(parseIpvsadm('Memory allocation problem\n')).toMatchObject({ kind: 'memory-allocation' });
    expect(parseIpvsadm(fixture('this-machine--cannot-initialize-no-ipvs.out'))).toMatchObject({ kind: 'cannot-initialize', cause: 'protocol-not-available' });
  });

  it('reads empty output as empty, and refuses text that is no ipvsadm output', () => {
    expect(parseIpvsadm('')).toEqual({ format: 'ipvsadm-empty' });
    expect(parseErrorOf('bash: ipvsadm: command not found\n').line).toBe(1);
  });
});
