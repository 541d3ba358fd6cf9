// Consistent address pseudonyms for redaction. Each IPv4 /24 maps to its own documentation
// block and keeps its host bits (so every subnet relation of prefix /24 or longer survives:
// on-link, same /30, broadcast). The three RFC 5737 blocks come first, then the RFC 2544
// benchmark range 198.18.0.0/15 (512 more /24s). Each IPv6 /64 maps to 2001:db8:N::/64
// keeping its interface identifier. Loopback, unspecified, link-local, multicast and
// netmask-like values (first octet >= 224) are not addresses of anyone and stay as they are.
import { isIPv4, isIPv6 } from 'node:net';
import { bigIntToIpv6, intToIpv4, ipv4ToInt, ipv6ToBigInt } from '../util/ip.js';

const RFC5737 = [0xc00002, 0xc63364, 0xcb0071]; // 192.0.2, 198.51.100, 203.0.113
const BENCHMARK_BASE = 0xc61200; // 198.18.0
const BENCHMARK_BLOCKS = 512;

export class AddressMap {
  private readonly v4Blocks = new Map<number, number>();
  private readonly v6Prefixes = new Map<bigint, bigint>();

  /** Maps an IPv4 address as a 32-bit integer. */
  v4(address: number): number {
    const first = address >>> 24;
    if (first === 0 || first === 127 || first >= 224 || address >>> 16 === 0xa9fe) return address >>> 0;
    const block = address >>> 8;
    let mapped = this.v4Blocks.get(block);
    if (mapped === undefined) {
      const n = this.v4Blocks.size;
      if (n >= RFC5737.length + BENCHMARK_BLOCKS) throw new Error('more IPv4 networks than documentation blocks');
      mapped = n < RFC5737.length ? RFC5737[n] : BENCHMARK_BASE + (n - RFC5737.length);
      this.v4Blocks.set(block, mapped);
    }
    return ((mapped << 8) | (address & 0xff)) >>> 0;
  }

  v6(address: bigint): bigint {
    const top16 = Number(address >> 112n);
    const prefix = address >> 64n;
    if (prefix === 0n) {
      // ::, ::1 and IPv4-mapped ::ffff:a.b.c.d (the embedded IPv4 address is mapped).
      if (address >> 32n === 0xffffn) return (0xffffn << 32n) | BigInt(this.v4(Number(address & 0xffffffffn)));
      return address;
    }
    if ((top16 & 0xffc0) === 0xfe80 || top16 >> 8 === 0xff) return address;
    let mapped = this.v6Prefixes.get(prefix);
    if (mapped === undefined) {
      const n = this.v6Prefixes.size + 1;
      if (n > 0xffff) throw new Error('more IPv6 /64 networks than 2001:db8::/32 holds at this layout');
      mapped = (0x20010db8n << 32n) | (BigInt(n) << 16n);
      this.v6Prefixes.set(prefix, mapped);
    }
    return (mapped << 64n) | (address & 0xffffffffffffffffn);
  }

  /** Maps address text; anything that is not an address is returned unchanged. */
  text(address: string): string {
    if (isIPv4(address)) return intToIpv4(this.v4(ipv4ToInt(address)));
    if (!isIPv6(address)) return address;
    const mapped = this.v6(ipv6ToBigInt(address));
    if (/^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}){7}$/.test(address)) {
      // Keep the uncompressed style (/proc/net/ip_vs prints it) so fixed-form readers still match.
      return [...Array(8)].map((_, i) => ((mapped >> BigInt((7 - i) * 16)) & 0xffffn).toString(16).padStart(4, '0')).join(':');
    }
    const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    if (v4tail && mapped >> 32n === 0xffffn) return `::ffff:${intToIpv4(Number(mapped & 0xffffffffn))}`;
    return bigIntToIpv6(mapped);
  }
}
