// Redaction of captures by rewriting the bytes: every MAC in link headers and ARP, every
// IPv4/IPv6 address in IP headers, ARP,
// ICMP redirects, ICMP(v6) errors' embedded headers and ND targets is mapped in place, and
// each checksum that covers it is fixed incrementally (RFC 1624), which also works on
// packets truncated by the snap length. Application payloads (an HTTP Host: header names
// the VIP) are zeroed in place, lengths kept, checksums fixed the same way, so the decoded
// headers are exactly those of the original modulo the mapping. IPv6 extension headers are not walked: addresses in
// the fixed header are mapped, a transport header behind an extension header is left alone.
import type { AddressMap } from './address-map.js';

type Endian = { u32(b: Buffer, o: number): number };
const LE: Endian = { u32: (b, o) => b.readUInt32LE(o) };
const BE: Endian = { u32: (b, o) => b.readUInt32BE(o) };

export function isPcap(bytes: Uint8Array): boolean {
  if (bytes.length < 24) return false;
  const m = Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32BE(0);
  return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(m);
}

export function rewritePcapAddresses(input: Uint8Array, map: AddressMap): Uint8Array {
  const buf = Buffer.from(input);
  if (!isPcap(buf)) throw new Error('not a classic pcap file');
  const magic = buf.readUInt32BE(0);
  const endian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d ? BE : LE;
  const linkType = endian.u32(buf, 20) & 0x0fffffff;
  for (let at = 24; at + 16 <= buf.length; ) {
    const caplen = endian.u32(buf, at + 8);
    const start = at + 16;
    const end = Math.min(start + caplen, buf.length);
    rewriteFrame(new Packet(buf, start, end), linkType, map);
    at = start + caplen;
  }
  return new Uint8Array(buf);
}

/** A captured frame: bounds checks keep a truncated packet from being read past its end. */
class Packet {
  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}
  has(offset: number, length: number): boolean {
    return offset >= this.start && offset + length <= this.end;
  }
  u8(o: number): number {
    return this.buf[o];
  }
  u16(o: number): number {
    return this.buf.readUInt16BE(o);
  }
}

function rewriteFrame(p: Packet, linkType: number, map: AddressMap): void {
  let o = p.start;
  let proto: number | undefined;
  if (linkType === 1) {
    replaceMac(p, o, map);
    replaceMac(p, o + 6, map);
    o += 12;
    while (p.has(o, 2) && (p.u16(o) === 0x8100 || p.u16(o) === 0x88a8)) o += 4;
    if (!p.has(o, 2)) return;
    proto = p.u16(o);
    o += 2;
  } else if (linkType === 113) {
    // SLL: the link-layer address (length at 4) at 6.
    if (p.has(o + 4, 2) && p.u16(o + 4) === 6) replaceMac(p, o + 6, map);
    if (!p.has(o + 14, 2)) return;
    proto = p.u16(o + 14);
    o += 16;
  } else if (linkType === 276) {
    // SLL2: the link-layer address (length at 11) at 12.
    if (p.has(o + 11, 1) && p.u8(o + 11) === 6) replaceMac(p, o + 12, map);
    if (!p.has(o, 2)) return;
    proto = p.u16(o);
    o += 20;
  } else if (linkType === 101 || linkType === 12) {
    if (!p.has(o, 1)) return;
    proto = p.u8(o) >> 4 === 6 ? 0x86dd : 0x0800;
  } else {
    return;
  }
  if (proto === 0x0800) ipv4(p, o, map);
  else if (proto === 0x86dd) ipv6(p, o, map);
  else if (proto === 0x0806) arp(p, o, map);
}

/** One replaced 16-bit-aligned field: what the checksums covering it must be told. */
interface Change {
  offset: number;
  before: Buffer;
  after: Buffer;
}

function replace(p: Packet, offset: number, length: 4 | 16, map: AddressMap): Change | null {
  if (!p.has(offset, length)) return null;
  const before = Buffer.from(p.buf.subarray(offset, offset + length));
  const after = Buffer.alloc(length);
  if (length === 4) after.writeUInt32BE(map.v4(before.readUInt32BE(0)));
  else {
    const v = map.v6(BigInt(`0x${before.toString('hex')}`));
    Buffer.from(v.toString(16).padStart(32, '0'), 'hex').copy(after);
  }
  after.copy(p.buf, offset);
  return before.equals(after) ? null : { offset, before, after };
}

/** RFC 1624: HC' = ~(~HC + ~m + m') over each changed 16-bit word. */
function fixChecksum(p: Packet, at: number, changes: readonly (Change | null)[], zeroMeansNone = false): Change | null {
  if (!p.has(at, 2)) return null;
  const old = p.u16(at);
  if (zeroMeansNone && old === 0) return null;
  let sum = ~old & 0xffff;
  const word = (b: Buffer, i: number): number => (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  for (const c of changes) {
    if (!c) continue;
    for (let i = 0; i < c.before.length; i += 2) sum += (~word(c.before, i) & 0xffff) + word(c.after, i);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  let next = ~sum & 0xffff;
  if (zeroMeansNone && next === 0) next = 0xffff;
  if (next === old) return null;
  const before = Buffer.from(p.buf.subarray(at, at + 2));
  p.buf.writeUInt16BE(next, at);
  return { offset: at, before, after: Buffer.from(p.buf.subarray(at, at + 2)) };
}

/** Rewrites an IPv4 packet at o; returns every change made (for an enclosing ICMP checksum). */
function ipv4(p: Packet, o: number, map: AddressMap): Change[] {
  if (!p.has(o, 20) || p.u8(o) >> 4 !== 4) return [];
  const ihl = (p.u8(o) & 0x0f) * 4;
  const proto = p.u8(o + 9);
  const firstFragment = (p.u16(o + 6) & 0x1fff) === 0;
  const addrs = [replace(p, o + 12, 4, map), replace(p, o + 16, 4, map)];
  const changes: (Change | null)[] = [...addrs, fixChecksum(p, o + 10, addrs)];
  if (firstFragment) changes.push(...transport(p, o + ihl, proto, addrs, map, 4));
  return changes.filter((c): c is Change => c !== null);
}

function ipv6(p: Packet, o: number, map: AddressMap): Change[] {
  if (!p.has(o, 40) || p.u8(o) >> 4 !== 6) return [];
  const next = p.u8(o + 6);
  const addrs = [replace(p, o + 8, 16, map), replace(p, o + 24, 16, map)];
  const changes: (Change | null)[] = [...addrs, ...transport(p, o + 40, next, addrs, map, 6)];
  return changes.filter((c): c is Change => c !== null);
}

/** Zeroes captured bytes from `from` to the end of the frame (payload the doctor never reads). */
function zeroFrom(p: Packet, from: number): Change | null {
  if (from >= p.end || from < p.start) return null;
  const before = Buffer.from(p.buf.subarray(from, p.end));
  if (before.every((b) => b === 0)) return null;
  p.buf.fill(0, from, p.end);
  return { offset: from, before, after: Buffer.alloc(before.length) };
}

function transport(p: Packet, t: number, proto: number, pseudo: (Change | null)[], map: AddressMap, version: 4 | 6): (Change | null)[] {
  if (proto === 6) {
    if (!p.has(t, 13)) return [fixChecksum(p, t + 16, pseudo)];
    const payload = zeroFrom(p, t + (p.u8(t + 12) >> 4) * 4);
    return [payload, fixChecksum(p, t + 16, [...pseudo, payload])];
  }
  if (proto === 17) {
    const payload = zeroFrom(p, t + 8);
    return [payload, fixChecksum(p, t + 6, [...pseudo, payload], version === 4)];
  }
  if (proto === 1 && version === 4) return icmp4(p, t, map);
  if (proto === 58 && version === 6) return icmp6(p, t, pseudo, map);
  return [];
}

function icmp4(p: Packet, t: number, map: AddressMap): (Change | null)[] {
  if (!p.has(t, 8)) return [];
  const type = p.u8(t);
  const inner: (Change | null)[] = [];
  let payload = t + 8;
  if (type === 5) inner.push(replace(p, t + 4, 4, map));
  if ([3, 4, 5, 11, 12].includes(type)) {
    inner.push(...ipv4(p, t + 8, map));
    // RFC 792: the original IP header and the first 8 bytes of its payload.
    if (p.has(t + 8, 1)) payload = t + 8 + (p.u8(t + 8) & 0x0f) * 4 + 8;
  }
  inner.push(zeroFrom(p, payload));
  return [...inner, fixChecksum(p, t + 2, inner)];
}

function icmp6(p: Packet, t: number, pseudo: (Change | null)[], map: AddressMap): (Change | null)[] {
  if (!p.has(t, 8)) return [];
  const type = p.u8(t);
  const inner: (Change | null)[] = [];
  let payload = t + 8;
  if (type >= 1 && type <= 4) {
    inner.push(...ipv6(p, t + 8, map));
    payload = t + 8 + 40 + 8;
  }
  if (type === 135 || type === 136) {
    inner.push(replace(p, t + 8, 16, map));
    payload = t + 24;
  }
  if (type === 137) {
    inner.push(replace(p, t + 8, 16, map), replace(p, t + 24, 16, map));
    payload = t + 40;
  }
  inner.push(zeroFrom(p, payload));
  return [...inner, fixChecksum(p, t + 2, [...pseudo, ...inner])];
}

function arp(p: Packet, o: number, map: AddressMap): void {
  if (!p.has(o, 8) || p.u16(o + 2) !== 0x0800 || p.u8(o + 5) !== 4) return;
  const hlen = p.u8(o + 4);
  if (hlen === 6) {
    replaceMac(p, o + 8, map);
    replaceMac(p, o + 8 + hlen + 4, map);
  }
  replace(p, o + 8 + hlen, 4, map);
  replace(p, o + 8 + 2 * hlen + 4, 4, map);
}

/** A MAC in a link header or ARP: no checksum covers it. */
function replaceMac(p: Packet, offset: number, map: AddressMap): void {
  if (!p.has(offset, 6)) return;
  Buffer.from(map.mac(p.buf.subarray(offset, offset + 6))).copy(p.buf, offset);
}
