import { describe, expect, it } from 'vitest';
import { captureProbe } from '../../src/probes/capture.js';
import { ipRouteGet } from '../../src/probes/ip-route-get.js';
import { ping } from '../../src/probes/ping.js';
import { procIpVs, type ProcIpVsFile } from '../../src/probes/proc-ip-vs.js';
import { sysctlProbe } from '../../src/probes/sysctl.js';
import { connectionProbe } from '../../src/probes/test-connection.js';
import { toolCheck } from '../../src/probes/tools.js';
import { traceroute } from '../../src/probes/traceroute.js';
import { interfaceName, ipAddress, port, ProbeValidationError, sysctlName, systemPath } from '../../src/probes/validate.js';

const HOSTILE = ['eth0; rm -rf /', '$(id)', '`id`', 'eth0\n', "eth0'", '"eth0"', '-i', '--help', '', 'a b', '../etc', 'eth0|id', 'x'.repeat(16)];

describe('validation with hostile values', () => {
  it.each(HOSTILE)('refuses interface name %j', (v) => expect(() => interfaceName(v)).toThrow(ProbeValidationError));
  it.each([...HOSTILE, '10.0.0.1; id', '10.0.0.1\n', '10.0.0.256', '-1.0.0.1', '10.0.0.1/24'])('refuses address %j', (v) =>
    expect(() => ipAddress(v)).toThrow(ProbeValidationError),
  );
  it.each([0, 65536, -1, 1.5, '80', NaN])('refuses port %j', (v) => expect(() => port(v)).toThrow(ProbeValidationError));
  it.each(['/proc/../etc/shadow', '/tmp/x', '/proc/net/ip_vs; id', 'proc/net/ip_vs', '/proc/net/$(id)', '/etc/'])('refuses path %j', (v) =>
    expect(() => systemPath(v)).toThrow(ProbeValidationError),
  );
  it.each(['net.ipv4.ip_forward=1', 'net.ipv4 x', '-w', 'net.ipv4.$(id)', 'net.ipv4.conf.eth0;id.rp_filter'])('refuses sysctl %j', (v) =>
    expect(() => sysctlName(v)).toThrow(ProbeValidationError),
  );

  it('accepts ordinary values', () => {
    expect(interfaceName('eth0.100')).toBe('eth0.100');
    expect(interfaceName('veth-rs1@if3')).toBe('veth-rs1@if3');
    expect(ipAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(port(65535)).toBe(65535);
    expect(systemPath('/proc/net/ip_vs_conn')).toBe('/proc/net/ip_vs_conn');
  });

  it('stops a builder before any argv exists', () => {
    expect(() => ping('10.0.0.1', '$(id)')).toThrow(ProbeValidationError);
    expect(() => traceroute('-f', '10.0.0.1')).toThrow(ProbeValidationError);
    expect(() => ipRouteGet({ to: '10.0.0.1', from: '10.0.0.2', iif: 'eth0; reboot' })).toThrow(ProbeValidationError);
    expect(() => sysctlProbe(['eth0 ; id'])).toThrow(ProbeValidationError);
    expect(() => procIpVs('../../etc/shadow' as ProcIpVsFile)).toThrow();
    expect(() => toolCheck(['curl; id'])).toThrow(ProbeValidationError);
    expect(() => connectionProbe('curl', '10.0.0.1', 0, 3)).toThrow(ProbeValidationError);
    expect(() => captureProbe({ host: 'rs1', iface: 'eth0', filter: { hosts: ['10.0.0.1 or port 22'] } })).toThrow(ProbeValidationError);
  });
});

describe('probe argv', () => {
  it('builds the documented commands', () => {
    expect(ping('10.1.1.11', '10.9.0.5').argv).toEqual(['ping', '-n', '-c1', '-W1', '-I', '10.1.1.11', '10.9.0.5']);
    expect(traceroute('10.1.1.11', '10.9.0.5').argv).toEqual(['traceroute', '-n', '-w1', '-q1', '-m8', '-s', '10.1.1.11', '10.9.0.5']);
    expect(ipRouteGet({ to: '10.9.0.5', from: '10.0.0.10', iif: 'int0' }).argv).toEqual(['ip', 'route', 'get', '10.9.0.5', 'from', '10.0.0.10', 'iif', 'int0']);
    expect(sysctlProbe(['eth0.100']).argv).toContain('net.ipv4.conf.eth0/100.rp_filter');
    expect(sysctlProbe([]).argv.slice(0, 3)).toEqual(['sysctl', '-e', 'net.ipv4.ip_forward']);
    const cap = captureProbe({ host: 'rs1', iface: 'eth0', filter: { hosts: ['10.9.0.5'], icmp: true }, maxPackets: 50 });
    expect(cap.argv).toEqual(['tcpdump', '-U', '--immediate-mode', '-n', '-s', '512', '-w', '-', '-i', 'eth0', '-c', '50', '(', 'host', '10.9.0.5', ')', 'or', 'icmp', 'or', 'icmp6']);
    expect(connectionProbe('bash', '10.0.0.10', 80, 2).argv).toEqual(['bash', '-c', 'exec 3<>"/dev/tcp/$1/$2"', 'bash', '10.0.0.10', '80']);
    expect(connectionProbe('curl', '2001:db8::10', 80, 2).argv.at(-1)).toBe('http://[2001:db8::10]:80/');
  });

  it('gives identical probes identical keys', () => {
    expect(ping('10.1.1.11', '10.9.0.5').key).toBe(ping('10.1.1.11', '10.9.0.5').key);
    expect(ping('10.1.1.11', '10.9.0.5').key).not.toBe(ping('10.1.1.12', '10.9.0.5').key);
  });
});
