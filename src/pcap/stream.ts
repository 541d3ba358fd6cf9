// Streams a classic pcap capture into Packets. pcap-parser (the only importer of it) reads and
// validates the global header; the records are then cut from each chunk here, in place,
// because pcap-parser's per-record events, copies and slices cost more CPU than tcpdump
// spends rendering the whole packet as text (measured: BENCHMARKS.md, "Packet decoding").
// The input is pulled one chunk at a time, so memory stays flat however large the capture.
import { Readable } from 'node:stream';
import { parse as parsePcap, type GlobalHeader } from 'pcap-parser';
import type { Packet, PacketTime } from '../model/packet.js';
import { ParseError } from '../model/parse-error.js';
import { decodeFrame, SUPPORTED_LINK_TYPES } from './decode-frame.js';
import { identifyMagic, type ByteOrder, type TimeResolution } from './format.js';
import { nameInterfaces, type InterfaceNames } from './interfaces.js';

export interface PcapHeaderInfo {
  byteOrder: ByteOrder;
  resolution: TimeResolution;
  version: string;
  snaplen: number;
  linkType: number;
}

export interface DecodeOptions {
  /** Called once, before the first packet. */
  onHeader?: (header: PcapHeaderInfo) => void;
  /** ifindex -> name (or `ip -o link` of the capturing host) for SLL2 captures. */
  interfaces?: InterfaceNames;
}

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** A record longer than this (and than the snaplen) is corruption, not a packet. */
const MAX_SANE_RECORD = 262144;

/** Has pcap-parser read the 24-byte global header (its magic already known good). */
async function readGlobalHeader(head: Buffer): Promise<PcapHeaderInfo> {
  const flavour = identifyMagic(head);
  const copy = Buffer.from(head.subarray(0, GLOBAL_HEADER_BYTES));
  copy.write(flavour.microMagic, 0, 'hex');
  const global = await new Promise<GlobalHeader>((resolve, reject) => {
    const parser = parsePcap(Readable.from([copy]));
    parser.on('globalHeader', resolve);
    parser.on('error', (error: Error) => reject(new ParseError(`not a readable pcap capture: ${error.message}`, 0)));
    parser.on('end', () => reject(new ParseError('capture ends inside the pcap file header', 0)));
  });
  if (!SUPPORTED_LINK_TYPES.has(global.linkLayerType)) {
    const known = [...SUPPORTED_LINK_TYPES].map(([n, name]) => `${n} ${name}`).join(', ');
    throw new ParseError(`pcap link type ${global.linkLayerType} is not supported (supported: ${known})`, 0);
  }
  return {
    byteOrder: flavour.byteOrder,
    resolution: flavour.resolution,
    version: `${global.majorVersion}.${global.minorVersion}`,
    snaplen: global.snapshotLength,
    linkType: global.linkLayerType,
  };
}

function packetTime(sec: number, frac: number, nano: boolean): PacketTime {
  return {
    seconds: sec + frac / (nano ? 1e9 : 1e6),
    clock: 'epoch',
    raw: `${sec}.${String(frac).padStart(nano ? 9 : 6, '0')}`,
  };
}

/**
 * Decodes a classic pcap stream packet by packet. Throws (from the iteration) a ParseError for
 * pcapng, a foreign file, an unsupported link type, or a capture that ends inside a record.
 */
export async function* decodePcapStream(input: Readable | AsyncIterable<Uint8Array>, options: DecodeOptions = {}): AsyncGenerator<Packet> {
  for await (const batch of decodePcapBatches(input, options)) yield* batch;
}

/**
 * The same, a batch at a time (the records one chunk of input completed). An await per packet
 * costs more than decoding it, so large captures should use this.
 */
export async function* decodePcapBatches(input: Readable | AsyncIterable<Uint8Array>, options: DecodeOptions = {}): AsyncGenerator<Packet[]> {
  const names = options.interfaces === undefined ? null : nameInterfaces(options.interfaces);
  let header: PcapHeaderInfo | null = null;
  let pending: Buffer = Buffer.alloc(0);
  let offsetInFile = 0;
  let records = 0;
  let little = true;
  let nano = false;
  let maxRecord = 0;

  for await (const chunk of input) {
    const data = pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([pending, chunk]);
    let at = 0;
    if (!header) {
      if (data.length < GLOBAL_HEADER_BYTES) {
        if (data.length >= 4) identifyMagic(data); // refuse pcapng or text as soon as it shows
        pending = data;
        continue;
      }
      header = await readGlobalHeader(data);
      options.onHeader?.(header);
      little = header.byteOrder === 'little-endian';
      nano = header.resolution === 'nano';
      maxRecord = Math.max(header.snaplen, MAX_SANE_RECORD);
      at = GLOBAL_HEADER_BYTES;
      offsetInFile = GLOBAL_HEADER_BYTES;
    }
    const batch: Packet[] = [];
    const linkType = header.linkType;
    while (at + RECORD_HEADER_BYTES <= data.length) {
      const sec = little ? data.readUInt32LE(at) : data.readUInt32BE(at);
      const frac = little ? data.readUInt32LE(at + 4) : data.readUInt32BE(at + 4);
      const caplen = little ? data.readUInt32LE(at + 8) : data.readUInt32BE(at + 8);
      const wirelen = little ? data.readUInt32LE(at + 12) : data.readUInt32BE(at + 12);
      if (caplen > maxRecord) {
        throw new ParseError(
          `pcap record ${records + 1} at byte ${offsetInFile} claims ${caplen} captured bytes, more than the snaplen ${header.snaplen}: the file is corrupt`,
          0,
        );
      }
      const end = at + RECORD_HEADER_BYTES + caplen;
      if (end > data.length) break;
      records++;
      const packet = decodeFrame(linkType, data.subarray(at + RECORD_HEADER_BYTES, end), records, packetTime(sec, frac, nano), wirelen);
      if (names !== null && packet.link.ifindex !== null) packet.link.interface = names.get(packet.link.ifindex) ?? null;
      batch.push(packet);
      offsetInFile += end - at;
      at = end;
    }
    // Only the unfinished record is kept (a copy, so the chunk it came from can be freed).
    pending = at === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
    if (batch.length > 0) yield batch;
  }

  if (!header) {
    if (pending.length === 0) throw new ParseError('empty input: expected a pcap capture', 0);
    identifyMagic(pending);
    throw new ParseError(`capture ends inside the ${GLOBAL_HEADER_BYTES}-byte pcap file header (${pending.length} bytes)`, 0);
  }
  if (pending.length > 0) {
    throw new ParseError(
      `capture ends inside record ${records + 1}: ${pending.length} trailing bytes at byte ${offsetInFile} do not make a whole record`,
      0,
    );
  }
}
