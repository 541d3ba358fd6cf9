// The MACs a capture's frames carry, read from the bytes (a test must not trust the rewriter to find them).
/** Unicast MACs of a pcap's link headers (Ethernet source/destination, SLL/SLL2 address). */
export function frameMacs(pcap: Uint8Array): Set<string> {
  const buf = Buffer.from(pcap);
  const le = buf.readUInt32BE(0) === 0xd4c3b2a1 || buf.readUInt32BE(0) === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const macs = new Set<string>();
  const add = (o: number): void => {
    const m = buf.subarray(o, o + 6);
    if ((m[0] & 1) === 0 && m.some((b) => b !== 0)) macs.add(m.toString('hex'));
  };
  for (let at = 24; at + 16 <= buf.length; at += 16 + u32(at + 8)) {
    const f = at + 16;
    if (linkType === 1) [f, f + 6].forEach(add);
    else if (linkType === 113) add(f + 6);
    else if (linkType === 276) add(f + 12);
  }
  return macs;
}
