// The pcap decoder against tcpdump itself: every fixture capture was also rendered by
// `tcpdump -nS -r` (fixtures/parsers/tcpdump/netns--read-*-abs.out), and the two readers must agree
// packet by packet on every field the text shows.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { decodePcap, decodePcapStream, mapInterfaceIndexes, PCAPNG_MESSAGE } from '../../src/pcap/index.js';
import { parseTcpdumpText } from '../../src/parsers/tcpdump-text.js';
import { ParseError } from '../../src/model/parse-error.js';
import { describePacket, type Packet } from '../../src/model/packet.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const pcapFile = (name: string): Buffer => readFileSync(join(fixtures, 'parsers/pcap', name));
const textFile = (name: string): string => readFileSync(join(fixtures, 'parsers/tcpdump', name), 'utf8');

/** The fields tcpdump's text shows, from either reader. */
function visible(p: Packet, text: Packet): Record<string, unknown> {
  const icmp = p.icmp && text.icmp
    ? {
        kind: p.icmp.kind,
        type: text.icmp.type === null ? null : p.icmp.type,
        code: text.icmp.code === null ? null : p.icmp.code,
        id: text.icmp.id === null ? null : p.icmp.id,
        sequence: text.icmp.sequence === null ? null : p.icmp.sequence,
        gateway: p.icmp.gateway,
        embeddedDst: text.icmp.embedded === null ? null : p.icmp.embedded?.dst ?? null,
        embeddedDstPort: text.icmp.embedded?.dstPort == null ? null : p.icmp.embedded?.dstPort,
      }
    : p.icmp;
  return {
    src: p.protocol === 'arp' ? null : p.src,
    dst: p.protocol === 'arp' ? null : p.dst,
    ipVersion: p.protocol === 'arp' ? null : p.ipVersion,
    protocol: p.protocol,
    // tcpdump leaves out the seq of a bare ACK.
    tcp: p.tcp && text.tcp ? { ...p.tcp, seq: text.tcp.seq === null ? null : p.tcp.seq } : p.tcp,
    udp: p.udp,
    icmp: icmp === null ? null : icmp,
    // A reply line does not print whom it answers.
    arp: p.arp && text.arp ? { ...p.arp, targetIp: text.arp.targetIp === null ? null : p.arp.targetIp } : p.arp,
    // tcpdump -r prints microseconds unless --nano.
    fraction: p.time?.raw.split('.')[1].slice(0, text.time?.raw.split('.')[1].length),
  };
}

describe('pcap decoder agrees with tcpdump -nS -r on the same file', () => {
  for (const name of ['lan', 'lan-nano', 'any-sll', 'any-sll2']) {
    it(name, async () => {
      const capture = await decodePcap(pcapFile(`netns--${name}.pcap`));
      const text = parseTcpdumpText(textFile(`netns--read-${name}-abs.out`));
      expect(text.unparsed).toEqual([]);
      expect(capture.packets.length).toBe(text.packets.length);
      capture.packets.forEach((p, i) => {
        const t = text.packets[i];
        expect(visible(p, t), `record ${i + 1} vs line ${t.origin.index}`).toEqual(visible(t, t));
        expect(p.time!.seconds % 86400).toBeCloseTo(t.time!.seconds, 5);
      });
    });
  }

  it('SLL2 link fields match tcpdump -e (ifindex, direction, source MAC, frame length)', async () => {
    const capture = await decodePcap(pcapFile('netns--any-sll2.pcap'));
    const text = parseTcpdumpText(textFile('netns--read-any-sll2-e-abs.out'));
    const pick = (p: Packet) => [p.link.ifindex, p.link.direction, p.link.srcMac, p.link.etherType, p.wireLength];
    expect(capture.packets.map(pick)).toEqual(text.packets.map(pick));
  });
});

describe('pcap header and link types', () => {
  it('reads byte order, resolution and link type of each real capture', async () => {
    const heads = await Promise.all(
      ['lan', 'lan-nano', 'any-sll', 'any-sll2'].map(async (n) => {
        const { packets: _, ...h } = await decodePcap(pcapFile(`netns--${n}.pcap`));
        return h;
      }),
    );
    expect(heads.map((h) => [h.byteOrder, h.resolution, h.linkType, h.snaplen, h.version])).toEqual([
      ['little-endian', 'micro', 1, 262144, '2.4'],
      ['little-endian', 'nano', 1, 262144, '2.4'],
      ['little-endian', 'micro', 113, 262144, '2.4'],
      ['little-endian', 'micro', 276, 262144, '2.4'],
    ]);
  });

  it('reads big-endian captures (micro and nano) to the same packets as their little-endian originals', async () => {
    for (const [big, little] of [['scapy-bigendian--any-sll2.pcap', 'netns--any-sll2.pcap'], ['scapy-bigendian--lan-nano.pcap', 'netns--lan-nano.pcap']]) {
      const b = await decodePcap(pcapFile(big));
      const l = await decodePcap(pcapFile(little));
      expect(b.byteOrder).toBe('big-endian');
      expect(b.resolution).toBe(l.resolution);
      expect(b.packets).toEqual(l.packets);
    }
  });

  it('keeps nanoseconds in the raw time of a nanosecond capture', async () => {
    const { packets } = await decodePcap(pcapFile('netns--lan-nano.pcap'));
    const text = parseTcpdumpText(textFile('netns--read-lan-nano-tttt.out'));
    expect(packets.map((p) => p.time!.raw.split('.')[1])).toEqual(text.packets.map((p) => p.time!.raw.split('.')[1]));
    expect(packets[0].time!.raw).toMatch(/^\d+\.\d{9}$/);
  });

  it('names SLL2 interfaces from the capturing host\'s ip -o link, not from the reader\'s', async () => {
    const ipLink = readFileSync(join(fixtures, 'pcap/netns--router-ip-o-link.txt'), 'utf8');
    const { packets } = await decodePcap(pcapFile('netns--any-sll2.pcap'));
    const named = mapInterfaceIndexes(packets, ipLink);
    const live = parseTcpdumpText(textFile('netns--any.out'));
    expect(new Set(named.map((p) => p.link.interface))).toEqual(new Set(live.packets.map((p) => p.link.interface)));
    const redirect = named.find((p) => p.icmp?.kind === 'redirect-host')!;
    expect(describePacket(redirect)).toBe('lan0 out 10.77.1.1 > 10.77.1.2 ICMP redirect-host new next hop 10.77.1.9 about icmp 10.77.1.2 > 10.77.9.5');
  });

  it('decodes the embedded header of a port unreachable, redirect and admin-prohibited', async () => {
    const { packets } = await decodePcap(pcapFile('netns--lan.pcap'));
    const udpUnreach = packets.find((p) => p.icmp?.kind === 'port-unreachable' && p.icmp.embedded?.dstPort === 9999 && p.ipVersion === 4)!;
    expect(udpUnreach.icmp!.embedded).toMatchObject({ src: '10.77.1.2', dst: '10.77.2.11', protocol: 'udp', dstPort: 9999 });
    expect(typeof udpUnreach.icmp!.embedded!.srcPort).toBe('number');
    const admin = packets.find((p) => p.icmp?.kind === 'admin-prohibited' && p.ipVersion === 4)!;
    expect(admin.icmp).toMatchObject({ type: 3, code: 13, embedded: { dst: '10.77.2.11', protocol: 'tcp', dstPort: 82 } });
    const admin6 = packets.find((p) => p.icmp?.kind === 'admin-prohibited' && p.ipVersion === 6)!;
    expect(admin6.icmp).toMatchObject({ type: 1, code: 1, embedded: { src: 'fd00:77:1::2', dst: 'fd00:77:2::11', protocol: 'tcp', dstPort: 82 } });
    const rst = packets.find((p) => p.tcp?.flags.rst)!;
    expect(rst.tcp).toMatchObject({ srcPort: 81, flagString: 'R.' });
  });
});

describe('pcap refusals', () => {
  it('refuses pcapng by name, with the conversion command', async () => {
    // The 4-byte pcapng Section Header Block type that opens every pcapng file.
    await expect(decodePcap(Buffer.from('0a0d0d0a', 'hex'))).rejects.toThrow(PCAPNG_MESSAGE);
  });

  it('refuses text, an empty file, and a capture cut inside a record', async () => {
    await expect(decodePcap(Buffer.from(textFile('netns--lan.out')))).rejects.toBeInstanceOf(ParseError);
    await expect(decodePcap(Buffer.alloc(0))).rejects.toThrow(/empty input/);
    const whole = pcapFile('netns--lan.pcap');
    await expect(decodePcap(whole.subarray(0, whole.length - 3))).rejects.toThrow(/ends inside record 84/);
    await expect(decodePcap(whole.subarray(0, 10))).rejects.toThrow(/pcap file header/);
  });
});

describe('decodePcapStream', () => {
  it('yields the same packets from a stream in small chunks', async () => {
    const whole = pcapFile('netns--any-sll2.pcap');
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 7) chunks.push(whole.subarray(i, i + 7));
    const streamed: Packet[] = [];
    for await (const p of decodePcapStream(Readable.from(chunks))) streamed.push(p);
    expect(streamed).toEqual((await decodePcap(whole)).packets);
  });

  it('stops cleanly when the consumer breaks early', async () => {
    const source = Readable.from([pcapFile('netns--lan.pcap')]);
    let seen = 0;
    for await (const _ of decodePcapStream(source)) if (++seen === 3) break;
    expect(seen).toBe(3);
    expect(source.destroyed).toBe(true);
  });
});
