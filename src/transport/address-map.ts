// Consistent address pseudonyms for redaction. Each IPv4 /24 maps to its own documentation
// block and keeps its host bits (so every subnet relation of prefix /24 or longer survives:
// on-link, same /30, broadcast). The three RFC 5737 blocks come first, then the RFC 2544
// benchmark range 198.18.0.0/15 (512 more /24s). Each IPv6 /64 maps to 2001:db8:N::/64
// keeping its interface identifier. Loopback, unspecified, link-local, multicast and
// netmask-like values (first octet >= 224) are not addresses of anyone and stay as they are.
// MAC addresses name a machine as well as any IP does (the vendor, the card): each one maps to
// a locally administered 02:00:00:NN:NN:NN, and an EUI-64 interface identifier (fe80::...ff:fe...,
// the MAC spelled into the address) is rebuilt from the mapped MAC, so the link-local address
// and the frame that carries it still agree. Solicited-node multicast (ff02::1:ffXX:XXXX,
// 33:33:ff:XX:XX:XX) carries the low 24 bits of an address: those follow the same mapping.
import { bigIntToIpv6, intToIpv4, ipv4ToInt, ipv6ToBigInt, isIPv4, isIPv6 } from '../util/ip.js';

const RFC5737 = [0xc00002, 0xc63364, 0xcb0071]; // 192.0.2, 198.51.100, 203.0.113
const BENCHMARK_BASE = 0xc61200; // 198.18.0
const BENCHMARK_BLOCKS = 512;

export class AddressMap {
  private readonly v4Blocks = new Map<number, number>();
  private readonly v6Prefixes = new Map<bigint, bigint>();
  private readonly macs = new Map<string, number>();
  /** Low 24 bits of an original MAC -> of its pseudonym (solicited-node groups carry them). */
  private readonly low24 = new Map<number, number>();

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
    if (top16 >> 8 === 0xff) return this.solicitedNode(address);
    if ((top16 & 0xffc0) === 0xfe80) return (prefix << 64n) | this.interfaceId(address & 0xffffffffffffffffn);
    let mapped = this.v6Prefixes.get(prefix);
    if (mapped === undefined) {
      const n = this.v6Prefixes.size + 1;
      if (n > 0xffff) throw new Error('more IPv6 /64 networks than 2001:db8::/32 holds at this layout');
      mapped = (0x20010db8n << 32n) | (BigInt(n) << 16n);
      this.v6Prefixes.set(prefix, mapped);
    }
    return (mapped << 64n) | this.interfaceId(address & 0xffffffffffffffffn);
  }

  /** Maps a 6-byte MAC; broadcast, all-zero and group addresses are no one's and stay. */
  mac(bytes: Uint8Array): Uint8Array {
    if (bytes.length !== 6 || bytes.every((b) => b === 0)) return bytes;
    if (bytes[0] === 0x33 && bytes[1] === 0x33 && bytes[2] === 0xff) {
      const low = this.mappedLow24((bytes[3] << 16) | (bytes[4] << 8) | bytes[5]);
      return Uint8Array.of(0x33, 0x33, 0xff, low >> 16, (low >> 8) & 0xff, low & 0xff);
    }
    if ((bytes[0] & 1) === 1) return bytes;
    const key = Buffer.from(bytes).toString('hex');
    let n = this.macs.get(key);
    if (n === undefined) {
      n = this.macs.size + 1;
      if (n > 0xffffff) throw new Error('more MAC addresses than the pseudonym range holds');
      this.macs.set(key, n);
      this.low24.set((bytes[3] << 16) | (bytes[4] << 8) | bytes[5], n);
    }
    return Uint8Array.of(0x02, 0x00, 0x00, n >> 16, (n >> 8) & 0xff, n & 0xff);
  }

  /** "aa:bb:cc:dd:ee:ff" (either case, as ip and tcpdump print it) mapped. */
  macText(text: string): string {
    const bytes = Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
    const mapped = this.mac(bytes);
    const out = [...mapped].map((b) => b.toString(16).padStart(2, '0')).join(':');
    return text === text.toUpperCase() && /[A-F]/.test(text) ? out.toUpperCase() : out;
  }

  /** An EUI-64 identifier (ff:fe in its middle) rebuilt from the mapped MAC; any other kept. */
  private interfaceId(iid: bigint): bigint {
    if (((iid >> 24n) & 0xffffn) !== 0xfffen) return iid;
    const b = [...Array(8)].map((_, i) => Number((iid >> BigInt((7 - i) * 8)) & 0xffn));
    const m = this.mac(Uint8Array.of(b[0] ^ 0x02, b[1], b[2], b[5], b[6], b[7]));
    return [m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]].reduce((acc, v) => (acc << 8n) | BigInt(v), 0n);
  }

  /** ff02::1:ffXX:XXXX: the low 24 bits are those of a unicast address, mapped alike. */
  private solicitedNode(address: bigint): bigint {
    if (address >> 24n !== 0xff0200000000000000000001ffn) return address;
    return ((address >> 24n) << 24n) | BigInt(this.mappedLow24(Number(address & 0xffffffn)));
  }

  private mappedLow24(low: number): number {
    let n = this.low24.get(low);
    if (n === undefined) {
      // Not (yet) seen as a MAC: a pseudonym of its own, kept for the next time.
      n = this.macs.size + 1;
      this.macs.set(`low24:${low}`, n);
      this.low24.set(low, n);
    }
    return n;
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
