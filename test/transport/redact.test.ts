import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/model/topology.js';
import { decodePcap } from '../../src/pcap/index.js';
import { AddressMap } from '../../src/transport/address-map.js';
import type { Bundle } from '../../src/transport/bundle.js';
import { rewritePcapAddresses } from '../../src/transport/pcap-rewrite.js';
import { redactBundle, Redactor } from '../../src/transport/redact.js';

import { frameMacs } from './pcap-macs.js';

const PCAPS = ['netns--lan.pcap', 'netns--lan-nano.pcap', 'netns--any-sll.pcap', 'netns--any-sll2.pcap'];

function tcpdumpVerbose(bytes: Uint8Array, dir: string, name: string): Promise<string> {
  const file = join(dir, name);
  return writeFile(file, bytes).then(() => spawnSync('tcpdump', ['-nvv', '-r', file], { encoding: 'utf8' }).stdout);
}

describe('AddressMap', () => {
  it('maps consistently, keeps host bits and /24 relations, leaves special values alone', () => {
    const m = new AddressMap();
    const t = (a: string) => m.text(a);
    expect(t('10.1.1.11')).toBe('192.0.2.11');
    expect(t('10.1.1.1')).toBe('192.0.2.1');
    expect(t('10.9.0.5')).toBe('198.51.100.5');
    expect(t('10.1.1.11')).toBe('192.0.2.11');
    expect(t('172.16.0.1')).toBe('203.0.113.1');
    expect(t('172.16.1.1')).toBe('198.18.0.1');
    for (const same of ['0.0.0.0', '127.0.0.1', '255.255.255.0', '224.0.0.1', '169.254.1.1']) expect(t(same)).toBe(same);
    expect(t('fd00:1::5')).toBe('2001:db8:1::5');
    expect(t('fd00:1::6')).toBe('2001:db8:1::6');
    expect(t('fd00:2::5')).toBe('2001:db8:2::5');
    expect(t('fe80::1')).toBe('fe80::1');
    expect(t('::ffff:10.1.1.11')).toBe('::ffff:192.0.2.11');
    expect(t('fd00:0001:0000:0000:0000:0000:0000:0005')).toBe('2001:0db8:0001:0000:0000:0000:0000:0005');
  });
});

describe('Redactor.text', () => {
  it('maps addresses inside real output shapes', () => {
    const r = new Redactor();
    r.setNames(new Map([['lb1.corp.example', 'director']]));
    expect(r.text('IP 10.9.0.5.41234 > 10.0.0.10.80: Flags [S]')).toBe('IP 192.0.2.5.41234 > 198.51.100.10.80: Flags [S]');
    expect(r.text('-A PREROUTING -d 10.0.0.10/32 -p tcp -j DNAT --to-destination 10.1.1.11:8080')).toBe(
      '-A PREROUTING -d 198.51.100.10/32 -p tcp -j DNAT --to-destination 203.0.113.11:8080',
    );
    expect(r.text('TCP  [fd00:1::10]:80 rr')).toBe('TCP  [2001:db8:1::10]:80 rr');
    expect(r.text('link/ether aa:bb:cc:dd:ee:ff brd ff:ff:ff:ff:ff:ff at 12:34:56')).toBe('link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff at 12:34:56');
    expect(r.text('Connection to lb1.corp.example closed')).toBe('Connection to director closed');
    expect(r.text('inet addr:10.1.1.11  Bcast:10.1.1.255')).toBe('inet addr:203.0.113.11  Bcast:203.0.113.255');
    expect(r.text('IP6 fd00:1::2.57650 > fd00:1::3.80: Flags [S]; 2001:db8::9: ICMP6')).toBe('IP6 2001:db8:1::2.57650 > 2001:db8:1::3.80: Flags [S]; 2001:db8:2::9: ICMP6');
    expect(r.text('TCP  0A00000A:0050 rr', { procHex: true })).toBe('TCP  C633640A:0050 rr');
  });
});

describe('MAC addresses and EUI-64 interface identifiers', () => {
  it('maps each MAC consistently, keeps broadcast and group addresses, rebuilds EUI-64 identifiers from the mapped MAC', () => {
    const r = new Redactor();
    // ip -o link / ip -o addr of one host (the lab's own shapes).
    expect(r.text('2: rs-lan@if3: <BROADCAST> mtu 1500\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff link-netns x')).toBe(
      '2: rs-lan@if3: <BROADCAST> mtu 1500\\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns x',
    );
    expect(r.text('2: rs-lan    inet6 fe80::5054:ff:fe12:3456/64 scope link')).toBe('2: rs-lan    inet6 fe80::ff:fe00:1/64 scope link');
    expect(r.text('lladdr 52:54:00:12:34:56 REACHABLE; lladdr 0A:0B:0C:0D:0E:0F')).toBe('lladdr 02:00:00:00:00:01 REACHABLE; lladdr 02:00:00:00:00:02');
    // A global EUI-64 address: the prefix maps as before, the identifier follows the MAC.
    expect(r.text('inet6 fd00:1::5054:ff:fe12:3456/64')).toBe('inet6 2001:db8:1::ff:fe00:1/64');
    // Its solicited-node group carries the identifier's low 24 bits: mapped alike.
    expect(r.text('ff02::1:ff12:3456')).toBe('ff02::1:ff00:1');
    expect(r.text('01:00:5e:00:00:01 33:33:00:00:00:01')).toBe('01:00:5e:00:00:01 33:33:00:00:00:01');
    // A privacy (non EUI-64) identifier is not a MAC: kept.
    expect(r.text('fe80::1c2d:3e4f:5a6b:7c8d')).toBe('fe80::1c2d:3e4f:5a6b:7c8d');
  });

  it.each(PCAPS)('%s: no MAC of the original frames is left in the rewritten capture', async (name) => {
    const original = new Uint8Array(await readFile(join('fixtures/parsers/pcap', name)));
    const macs = frameMacs(original);
    expect(macs.size).toBeGreaterThan(0);
    const rewritten = Buffer.from(rewritePcapAddresses(original, new AddressMap()));
    const left = [...macs].filter((m) => rewritten.includes(Buffer.from(m, 'hex')));
    expect(left).toEqual([]);
  });
});

describe('pcap rewrite', () => {
  it.each(PCAPS)('%s: maps every address, zeroes payloads, checksums stay valid, the decoded structure is the same modulo the mapping', async (name) => {
    const original = new Uint8Array(await readFile(join('fixtures/parsers/pcap', name)));
    const map = new AddressMap();
    const rewritten = rewritePcapAddresses(original, map);
    const dir = await mkdtemp(join(tmpdir(), 'lvsd-redact-'));
    try {
      const before = await tcpdumpVerbose(original, dir, 'a.pcap');
      const after = await tcpdumpVerbose(rewritten, dir, 'b.pcap');
      // Per packet: every checksum tcpdump found correct is still correct after the rewrite
      // (offloaded partial checksums read "incorrect" before and after alike).
      const packets = (text: string) => text.split(/\n(?=\d{2}:\d{2}:\d{2}\.)/);
      const bad = (text: string) => /incorrect|bad cksum|bad udp cksum/.test(text);
      const [pb, pa] = [packets(before), packets(after)];
      expect(pa.length).toBe(pb.length);
      const broken = pb.flatMap((text, i) => (!bad(text) && bad(pa[i]) ? [pa[i]] : []));
      expect(broken).toEqual([]);
      expect(after).toMatch(/sum ok|cksum 0x[0-9a-f]+ \(correct\)/);
      const redactor = new Redactor();
      const replayMap = new AddressMap();
      rewritePcapAddresses(original, replayMap);
      Object.assign(redactor, { addresses: replayMap });
      expect(after).not.toMatch(/10\.|fd00:/);
      const a = await decodePcap(original);
      const b = await decodePcap(rewritten);
      expect(b.packets.length).toBe(a.packets.length);
      expect(JSON.parse(redactor.text(JSON.stringify(a.packets)))).toEqual(JSON.parse(JSON.stringify(b.packets)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('redactBundle', () => {
  it('maps topology, argv, text, hostnames and drops ssh targets', async () => {
    const topology: Topology = {
      service: { protocol: 'TCP', vip: '10.0.0.10', vport: 80 },
      director: { name: 'lb-prod-1', role: 'director', access: 'ssh', ssh: { host: 'lb-prod-1.corp.example', user: 'ops', identityFile: '/home/ops/.ssh/id' }, dip: '10.1.1.1', int: 'eth1' },
      client: { name: 'client', role: 'client', access: 'ssh', cip: '10.9.0.5' },
      realservers: [{ name: 'web-a', role: 'realserver', access: 'ssh', rip: '10.1.1.11', rport: 8080 }],
    };
    const bundle: Bundle = {
      manifest: {
        tool: 'lvs-doctor', toolVersion: '0.1.0', schemaVersion: 1, createdAt: 'now', topology, options: { target: 'lb-prod-1.corp.example' },
        entries: [
          { ordinal: 0, host: 'web-a', argv: ['hostname'], exitCode: 0, durationMs: 1, stdoutFile: '0000-web-a.bin', stderr: '' },
          { ordinal: 1, host: 'web-a', argv: ['ip', 'route', 'get', '10.9.0.5', 'from', '10.1.1.11'], exitCode: 0, durationMs: 1, stdoutFile: '0001-web-a.bin', stderr: '' },
          { ordinal: 2, host: 'lb-prod-1', argv: ['ipvsadm', '-Ln'], exitCode: 0, durationMs: 1, stdoutFile: '0002-lb-prod-1.bin', stderr: 'ssh: connect to host lb-prod-1.corp.example port 22: Connection refused' },
        ],
      },
      files: new Map([
        ['0000-web-a.bin', new Uint8Array(Buffer.from('web-a-17.corp.example\n'))],
        ['0001-web-a.bin', new Uint8Array(Buffer.from('10.9.0.5 from 10.1.1.11 via 10.1.1.1 dev eth0 uid 0 \n    cache \n'))],
        ['0002-lb-prod-1.bin', new Uint8Array(Buffer.from('TCP  10.0.0.10:80 rr\n  -> 10.1.1.11:8080 Masq 1 0 0\n'))],
      ]),
    };
    const red = redactBundle(bundle);
    const all = JSON.stringify(red.manifest) + [...red.files.values()].map((b) => Buffer.from(b).toString()).join('\n');
    for (const secret of ['10.', 'corp.example', 'lb-prod-1', 'web-a', '/home/ops', 'ops']) expect(all).not.toContain(secret);
    expect(red.manifest.topology?.director.name).toBe('director');
    expect(red.manifest.topology?.director.ssh).toBeUndefined();
    expect(red.manifest.topology?.realservers[0]).toMatchObject({ name: 'rs1', rip: '198.51.100.11', rport: 8080 });
    expect(red.manifest.entries.map((e) => e.host)).toEqual(['rs1', 'rs1', 'director']);
    expect(Buffer.from(red.files.get('0000-rs1.bin')!).toString()).toBe('rs1\n');
    expect(Buffer.from(red.files.get('0001-rs1.bin')!).toString()).toBe('203.0.113.5 from 198.51.100.11 via 198.51.100.1 dev eth0 uid 0 \n    cache \n');
    expect(red.manifest.entries[1].argv).toEqual(['ip', 'route', 'get', '203.0.113.5', 'from', '198.51.100.11'])
    expect(red.manifest.topology?.service.vip).toBe('192.0.2.10');;
    expect(red.manifest.redacted).toBe(true);
  });
});
