import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcIpVs } from '../../src/parsers/proc-ip-vs.js';
import { parseProcIpVsConn } from '../../src/parsers/proc-ip-vs-conn.js';
import { parseProcIpVsStats } from '../../src/parsers/proc-ip-vs-stats.js';
import { ParseError } from '../../src/model/parse-error.js';

const root = join(import.meta.dirname, '../../fixtures/parsers');
const fixture = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('proc-ip-vs', () => {
  const table = parseProcIpVs(fixture('proc-ip-vs/prometheus-procfs--ipv4-ipv6-fwm.out'));

  it('decodes hex IPv4 addresses and ports', () => {
    expect(table.services[0]).toMatchObject({ protocol: 'TCP', address: '192.168.0.22', port: 3306, scheduler: 'wlc', family: 'ipv4' });
    expect(table.services[0].destinations[0]).toEqual({ address: '192.168.82.22', port: 3306, forward: 'Tunnel', weight: 100, activeConns: 248, inactiveConns: 2 });
  });

  it('canonicalises the full IPv6 form the kernel prints', () => {
    expect(table.services[3]).toMatchObject({ address: '2620::1', port: 80, family: 'ipv6', scheduler: 'sh' });
    expect(table.services[3].destinations.map((d) => d.address)).toEqual(['2620::2', '2620::3', '2620::4']);
  });

  it('reads the fwmark as hex', () => {
    expect(table.services[4]).toMatchObject({ protocol: 'FWM', fwmark: 0x10001000, address: null, port: null });
  });

  it('refuses ipvsadm -Ln output (decimal addresses), naming the line', () => {
    try {
      parseProcIpVs(fixture('ipvsadm/keepalived-dr-notes-zh--wrr-persistent-route.out'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).line).toBe(4);
    }
  });
});

describe('proc-ip-vs-conn', () => {
  it('decodes the three address/port pairs, state and expiry', () => {
    const { connections } = parseProcIpVsConn(fixture('proc-ip-vs-conn/go-tool-comment--ipv4-https.out'));
    expect(connections).toHaveLength(9);
    expect(connections[1]).toEqual({
      protocol: 'TCP',
      client: { address: '54.39.252.69', port: 64533 },
      virtual: { address: '81.20.49.146', port: 443 },
      destination: { address: '10.117.102.30', port: 443 },
      state: 'SYN_RECV',
      expiresSeconds: 9,
      peName: null,
      peData: null,
    });
  });
});

describe('proc-ip-vs-stats', () => {
  it('reads the hex totals and rates', () => {
    const stats = parseProcIpVsStats(fixture('proc-ip-vs-stats/prometheus-procfs--totals.out'));
    expect(stats.totals).toEqual({ conns: 0x16aa370, inPkts: 0xe33656e5, outPkts: 0, inBytes: 0x51d8c8883ab3, outBytes: 0 });
    expect(stats.rates.inPps).toBe(0x1fb3c);
  });
});
