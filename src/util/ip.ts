// The address checks of node:net, without its regular expressions: the first call of
// net.isIPv6 compiles an expression of ~40 alternatives, 30-60 ms of the doctor's one thread in
// every run that reads an `ip addr` (BENCHMARKS.md, "The doctor's own CPU"). These accept exactly
// the strings node:net accepts (test/util/ip-validate.test.ts holds them to it).

/** One dotted-quad octet as node:net spells it: 0-255, no leading zero. */
function isOctet(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 1 || n > 3) return false;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    value = value * 10 + c;
  }
  return (n === 1 || s.charCodeAt(from) !== 48) && value <= 255;
}

function isIPv4Range(s: string, from: number, to: number): boolean {
  let start = from;
  let dots = 0;
  for (let i = from; i <= to; i++) {
    if (i === to || s.charCodeAt(i) === 46) {
      if (!isOctet(s, start, i)) return false;
      if (i < to && ++dots > 3) return false;
      start = i + 1;
    }
  }
  return dots === 3;
}

export function isIPv4(s: string): boolean {
  return typeof s === 'string' && isIPv4Range(s, 0, s.length);
}

/** One to four hexadecimal digits. */
function isHexGroup(s: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 4) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * The groups of `s[from, to)` separated by ':', the last one possibly a dotted quad (two
 * groups' worth) when `quadLast`; -1 when one is not a group. An empty range has no group.
 */
function groupCount(s: string, from: number, to: number, quadLast: boolean): number {
  if (from === to) return 0;
  let count = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i === to || s.charCodeAt(i) === 58) {
      if (isHexGroup(s, start, i)) count += 1;
      else if (quadLast && i === to && isIPv4Range(s, start, i)) count += 2;
      else return -1;
      start = i + 1;
    }
  }
  return count;
}

/** A zone id's characters after '%': [0-9a-zA-Z-.:]. */
function isZoneChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
}

export function isIPv6(s: string): boolean {
  if (typeof s !== 'string') return false;
  let end = s.indexOf('%');
  if (end === -1) end = s.length;
  else {
    if (end === s.length - 1) return false;
    for (let i = end + 1; i < s.length; i++) if (!isZoneChar(s.charCodeAt(i))) return false;
  }
  const gap = s.indexOf('::');
  if (gap === -1 || gap >= end) return groupCount(s, 0, end, true) === 8;
  // One '::' standing for at least one zero group; a dotted quad only at the very end.
  const head = groupCount(s, 0, gap, false);
  const tail = groupCount(s, gap + 2, end, true);
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

/** IPv4 dotted quad to an unsigned 32-bit integer. Throws on anything else. */
export function ipv4ToInt(address: string): number {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) >>> 0;
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** Parses "10.0.0.0/24" (or a bare address, as /32) into network and prefix length. */
export function parseCidr(cidr: string): { address: string; prefix: number } {
  const [address, prefixText] = cidr.split('/');
  const max = isIPv6(address) ? 128 : 32;
  if (!isIP(address)) throw new Error(`not an address: ${cidr}`);
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`bad prefix length: ${cidr}`);
  return { address, prefix };
}

/** True when an IPv4 address lies inside network/prefix. IPv6 is compared by exact match of the prefix bits. */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  if (isIPv4(address) && isIPv4(network)) {
    if (prefix === 0) return true;
    const mask = prefix === 32 ? 0xffffffff : (~((1 << (32 - prefix)) - 1)) >>> 0;
    return ((ipv4ToInt(address) & mask) >>> 0) === ((ipv4ToInt(network) & mask) >>> 0);
  }
  if (isIPv6(address) && isIPv6(network)) {
    const a = ipv6ToBigInt(address);
    const n = ipv6ToBigInt(network);
    const shift = BigInt(128 - prefix);
    return a >> shift === n >> shift;
  }
  return false;
}

export function ipv6ToBigInt(address: string): bigint {
  // A zone id (fe80::1%eth0) names an interface, not address bits.
  let text = address.replace(/%.*$/, '');
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const n = ipv4ToInt(v4tail[1]);
    text = text.slice(0, -v4tail[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...(text.includes('::') ? Array(missing).fill('0') : []), ...tailParts];
  return parts.reduce((acc, p) => (acc << 16n) + BigInt(parseInt(p, 16)), 0n);
}

/** Canonical compressed IPv6 text for a 128-bit value (RFC 5952 style, lower case). */
export function bigIntToIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** Normalises any IPv6 text to its canonical form; IPv4 is returned unchanged. */
export function canonicalIp(address: string): string {
  if (!isIPv6(address)) return address;
  const zone = /%.*$/.exec(address)?.[0] ?? '';
  return bigIntToIpv6(ipv6ToBigInt(address)) + zone;
}

/**
 * One spelling per address, so that two texts of the same address compare equal: IPv6 in its
 * canonical compressed form, and an IPv4-mapped IPv6 address (::ffff:10.0.0.1) as the IPv4
 * address it carries, which is how Linux prints a v4 packet. Anything else is returned as is.
 */
export function normalizeIp(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const zone = /%.*$/.exec(address)?.[0] ?? '';
  const value = ipv6ToBigInt(address);
  if (value >> 32n === 0xffffn && zone === '') return intToIpv4(Number(value & 0xffffffffn));
  return bigIntToIpv6(value) + zone;
}

/** True when two texts name the same address (10.0.0.1 and ::ffff:10.0.0.1; 2001:db8::1 and 2001:DB8:0::1). */
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  return a === b || normalizeIp(a) === normalizeIp(b);
}
