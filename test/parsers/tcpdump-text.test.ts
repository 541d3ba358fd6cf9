// The tcpdump text parser on real lines: captured in fx2- namespaces on this machine
// (fixtures/pcap/capture.sh) and pasted in the seed's LVS-HOWTO chapter 5.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTcpdumpText, readCaptureBanners } from '../../src/parsers/tcpdump-text.js';
import { ParseError } from '../../src/model/parse-error.js';
import { describePacket } from '../../src/model/packet.js';

const read = (name: string) => parseTcpdumpText(readFileSync(join(import.meta.dirname, '../../fixtures/parsers/tcpdump', name), 'utf8'));

describe('tcpdump text: 4.x lines from the netns captures', () => {
  const any = read('netns--any.out');

  it('reads every line whole', () => {
    expect(any.unparsed).toEqual([]);
    expect(any.packets.length).toBe(140);
  });

  it('reads a redirect with its new next hop', () => {
    const redirect = any.packets.find((p) => p.icmp?.kind === 'redirect-host')!;
    expect(redirect).toMatchObject({ src: '10.77.1.1', dst: '10.77.1.2', protocol: 'icmp', link: { interface: 'lan0', direction: 'out' } });
    expect(redirect.icmp).toMatchObject({ type: 5, code: 1, gateway: '10.77.1.9', embedded: { dst: '10.77.9.5' } });
  });

  it('reads port unreachable, admin prohibited, host and net unreachable with the flow they are about', () => {
    const kinds = any.packets.filter((p) => p.icmp && p.ipVersion === 4 && p.icmp.embedded).map((p) => [p.icmp!.kind, p.icmp!.code, p.icmp!.embedded!.dst, p.icmp!.embedded!.dstPort]);
    expect(kinds).toContainEqual(['port-unreachable', 3, '10.77.2.11', 9999]);
    expect(kinds).toContainEqual(['admin-prohibited', 13, '10.77.2.11', null]);
    expect(kinds).toContainEqual(['host-unreachable', 1, '10.77.2.11', null]);
    expect(kinds).toContainEqual(['net-unreachable', 0, '10.77.2.11', null]);
  });

  it('reads TCP flags, seq, ack, window and payload length, and the -i any direction', () => {
    const synAck = any.packets.find((p) => p.tcp?.flagString === 'S.' && p.link.interface === 'lan0')!;
    expect(synAck.link.direction).toBe('out');
    expect(synAck.tcp).toMatchObject({ srcPort: 80, flags: { syn: true, ack: true, rst: false }, window: 65160, payloadLength: 0 });
    const rst = any.packets.find((p) => p.tcp?.flags.rst)!;
    expect(rst.tcp).toMatchObject({ srcPort: 81, flagString: 'R.', seq: 0 });
    const data = any.packets.find((p) => p.tcp?.flagString === 'P.')!;
    expect(data.tcp).toMatchObject({ seq: 1, ack: 1, payloadLength: 4 });
  });

  it('reads IPv6: compressed addresses, ICMP6 port unreachable and admin prohibited', () => {
    const six = any.packets.filter((p) => p.ipVersion === 6 && p.icmp?.embedded);
    expect(six.map((p) => [p.icmp!.kind, p.icmp!.embedded!.dst, p.icmp!.embedded!.dstPort])).toContainEqual(['port-unreachable', 'fd00:77:2::11', 9999]);
    expect(six.map((p) => p.icmp!.kind)).toContain('admin-prohibited');
  });

  it('reads ARP requests and replies', () => {
    const arp = any.packets.filter((p) => p.arp).map((p) => p.arp);
    expect(arp).toContainEqual({ operation: 'request', senderIp: '10.77.1.2', targetIp: '10.77.1.1', senderMac: null });
    expect(arp.some((a) => a!.operation === 'reply' && a!.senderIp === '10.77.1.1' && /^[0-9a-f:]{17}$/.test(a!.senderMac!))).toBe(true);
  });

  it('reads -e link fields and -i any -e interface index', () => {
    const e = read('netns--lan-e.out').packets.find((p) => p.arp?.operation === 'request')!;
    expect(e.link).toMatchObject({ dstMac: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806 });
    expect(e.wireLength).toBe(42);
    const anyE = read('netns--any-e.out').packets.filter((p) => p.link.interface === 'srv0');
    expect(new Set(anyE.map((p) => p.link.ifindex))).toEqual(new Set([3]));
  });

  it('reads -tttt, -tt and default timestamps', () => {
    expect(read('netns--lan-tttt.out').packets[0].time).toMatchObject({ clock: 'date-time', raw: '2026-11-28 00:36:42.592435' });
    expect(read('netns--read-lan-tt.out').packets[0].time).toMatchObject({ clock: 'epoch', seconds: 1795826202.592435 });
    expect(read('netns--lan.out').packets[0].time).toMatchObject({ clock: 'time-of-day', seconds: 36 * 60 + 42.592435 });
    expect(read('netns--read-lan-nano-tttt.out').packets[0].time!.raw).toBe('2026-11-28 00:36:42.592435321');
  });

  it('recognises the stderr banners and counters', () => {
    const r = read('netns--lan-with-stderr.out');
    expect(r.capture).toMatchObject({ interface: 'lan0', linkType: 'EN10MB', snaplen: 262144, captured: 84, receivedByFilter: 84, droppedByKernel: 0 });
    expect(read('netns--any-stderr-only.out').capture).toMatchObject({ interface: 'any', linkType: 'LINUX_SLL2', droppedByKernel: 10 });
  });

  it('describes a packet for evidence', () => {
    const redirect = any.packets.find((p) => p.icmp?.kind === 'redirect-host')!;
    expect(describePacket(redirect)).toBe('lan0 out 10.77.1.1 > 10.77.1.2 ICMP redirect-host new next hop 10.77.1.9 about ? ? > 10.77.9.5');
  });
});

describe('tcpdump text: 3.x pastes from the seed', () => {
  it('reads an old-style SYN+ACK with host and service names, and leaves the mangled ICMP line unparsed', () => {
    const r = read('seed-lvs-howto--direct-rip-port-unreachable.out');
    expect(r.packets).toHaveLength(1);
    expect(r.packets[0]).toMatchObject({ src: 'realserver', dst: 'client', truncated: true });
    expect(r.packets[0].tcp).toMatchObject({ srcPort: 'telnet', dstPort: 4121, flagString: 'S.', seq: 354934654, ack: 1183118745, window: 32120, payloadLength: 0 });
    expect(r.unparsed.map((u) => u.line)).toEqual([3]);
  });

  it('leaves lines whose addresses were lost in the paste unparsed instead of guessing', () => {
    const r = read('seed-lvs-howto--synack-retransmits-3x.out');
    expect(r.packets).toEqual([]);
    expect(r.unparsed).toHaveLength(9);
  });
});

describe('tcpdump text: refusals', () => {
  it('throws a ParseError naming the line for output that is not tcpdump at all', () => {
    expect(() => parseTcpdumpText('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n')).toThrow(ParseError);
    try {
      parseTcpdumpText('hello\n');
    } catch (e) {
      expect((e as ParseError).line).toBe(1);
    }
  });

  it('counts a wrapped -v continuation and a cut line as unparsed', () => {
    const r = parseTcpdumpText(
      '00:36:24.174147 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.77.1.2 > 10.77.2.11: ICMP echo request, id 1, seq 1, length 64\n00:36:24.412639 lan0  In  IP 10.77.1.2.48528 > 10.77.2.11.80: Flags [S], seq 17904\n',
    );
    expect(r.packets).toEqual([]);
    expect(r.unparsed.map((u) => u.line)).toEqual([1, 2, 3]);
  });
});

describe('tcpdump stderr: the banner and the counters of a -w capture', () => {
  // The lab recording of a healthy run: each capture's stderr, as tcpdump wrote it on exit.
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bundles/healthy/manifest.json'), 'utf8')) as { entries: { host: string; argv: string[]; stderr?: string }[] };
  const stderrOf = (host: string, iface: string): string => manifest.entries.find((e) => e.host === host && e.argv.includes('tcpdump') && e.argv.includes(iface))!.stderr!;

  it('reads the interface, link type and the exit counters', () => {
    expect(readCaptureBanners(stderrOf('client', 'any'))).toEqual({
      interface: 'any', file: null, linkType: 'LINUX_SLL2', snaplen: 512,
      captured: 30, receivedByFilter: 32, droppedByKernel: 0, droppedByInterface: null,
    });
    expect(readCaptureBanners(stderrOf('director', 'rec-ext'))).toMatchObject({ interface: 'rec-ext', linkType: 'EN10MB', captured: 30, receivedByFilter: 30 });
  });

  it('has no counters for a tcpdump that did not get to print them', () => {
    const line = stderrOf('client', 'any').split('\n').find((l) => l.includes('listening on'))!;
    expect(readCaptureBanners(`${line}\n`)).toMatchObject({ interface: 'any', captured: null, receivedByFilter: null });
  });
});
