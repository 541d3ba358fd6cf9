import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpvsadm, type IpvsadmListing, type IpvsadmSave } from '../../src/parsers/ipvsadm.js';
import { parseProcIpVs } from '../../src/parsers/proc-ip-vs.js';
import { portNumber, virtualServicesFromIpvsadm, virtualServicesFromProcIpVs } from '../../src/director/from-ipvs.js';

const root = join(import.meta.dirname, '../../fixtures/parsers');
const ipvsadm = (name: string) => parseIpvsadm(readFileSync(join(root, 'ipvsadm', name), 'utf8'));

describe('virtualServicesFromIpvsadm', () => {
  it('maps an -ln listing to VirtualService[] with source ipvs', () => {
    const services = virtualServicesFromIpvsadm(ipvsadm('keepalived-dr-notes-zh--wrr-persistent-route.out') as IpvsadmListing);
    expect(services).toEqual([
      {
        source: 'ipvs', protocol: 'TCP', address: '10.232.132.244', port: 80, fwmark: null, scheduler: 'wrr', persistent: 50,
        destinations: [
          { address: '10.232.132.170', port: 80, forward: 'Route', weight: 1 },
          { address: '10.232.132.169', port: 80, forward: 'Route', weight: 1 },
        ],
      },
    ]);
  });

  it('maps service names to numbers and says so when a name is unknown', () => {
    const notes: string[] = [];
    const services = virtualServicesFromIpvsadm(ipvsadm('k8s-ipv6-notes-ru--l-ipv6-names.out') as IpvsadmListing, notes);
    expect(services[0].port).toBe(443);
    expect(services[1].port).toBe(53);
    expect(services[1].destinations[0].port).toBe(53);
    expect(notes).toEqual([]);
    expect(portNumber('no-such-name', notes)).toBeNull();
    expect(notes).toEqual(["unknown service name 'no-such-name': port left null (run ipvsadm with -n)"]);
  });

  it('notes the names ipvsadm cut at its columns', () => {
    const notes: string[] = [];
    const services = virtualServicesFromIpvsadm(ipvsadm('rke2-guide--names-truncated-no-dest.out') as IpvsadmListing, notes);
    expect(services[0].port).toBeNull();
    expect(notes.some((n) => n.includes("'ip-10-45-0-1.ap-southeast-1.'"))).toBe(true);
  });

  it('takes -S rules and FWM services', () => {
    expect(virtualServicesFromIpvsadm(ipvsadm('k8s-ipvs-notes-zh--save-grep.out') as IpvsadmSave)[0].destinations).toHaveLength(3);
    expect(virtualServicesFromIpvsadm(ipvsadm('docker-swarm-blog--fwm-names.out') as IpvsadmListing)[0]).toMatchObject({ protocol: 'FWM', fwmark: 258, address: null, port: null });
  });

  it('refuses a --stats listing, which has no Forward column', () => {
    expect(() => virtualServicesFromIpvsadm(ipvsadm('dpvs-docs--stats-megabytes.out') as IpvsadmListing)).toThrow(/Forward/);
  });
});

describe('virtualServicesFromProcIpVs', () => {
  it('maps /proc/net/ip_vs, converting nothing but the persistence (none here)', () => {
    const table = parseProcIpVs(readFileSync(join(root, 'proc-ip-vs/node-exporter--tunnel-fwm.out'), 'utf8'));
    const services = virtualServicesFromProcIpVs(table);
    expect(services).toHaveLength(4);
    expect(services[0]).toMatchObject({ source: 'ipvs', address: '192.168.0.22', port: 3306, persistent: null });
    expect(services[3]).toMatchObject({ protocol: 'FWM', fwmark: 0x10001000 });
  });

  it('turns persistence jiffies into seconds with the given HZ', () => {
    const table = parseProcIpVs(readFileSync(join(root, 'proc-ip-vs/node-exporter--tunnel-fwm.out'), 'utf8'));
    table.services[0].persistentJiffies = 75000;
    expect(virtualServicesFromProcIpVs(table)[0].persistent).toBe(300);
    expect(virtualServicesFromProcIpVs(table, { hz: 1000 })[0].persistent).toBe(75);
  });
});
