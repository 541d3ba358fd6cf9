// The registered `pcap` parser: a whole capture in memory, collected from the stream decoder.
// Large captures should use decodePcapStream directly.
import { Readable } from 'node:stream';
import type { Packet } from '../model/packet.js';
import type { BinaryParser } from '../model/parser.js';
import { decodePcapBatches, type PcapHeaderInfo } from './stream.js';

export interface PcapCapture extends PcapHeaderInfo {
  format: 'pcap';
  packets: Packet[];
}

export async function decodePcap(data: Uint8Array): Promise<PcapCapture> {
  let header: PcapHeaderInfo | null = null;
  const packets: Packet[] = [];
  const source = Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)], { objectMode: false });
  for await (const batch of decodePcapBatches(source, { onHeader: (h) => (header = h) })) for (const p of batch) packets.push(p);
  // decodePcapStream throws before returning when no header was read.
  const h = header as unknown as PcapHeaderInfo;
  return { format: 'pcap', ...h, packets };
}

export const pcapParser: BinaryParser<PcapCapture> = {
  id: 'pcap',
  description: 'classic pcap captures (tcpdump -w): Ethernet, Linux cooked SLL/SLL2, raw IP',
  kind: 'binary',
  parse: decodePcap,
};
