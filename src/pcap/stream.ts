// The only importer of pcap-parser. It reads the global header and splits the stream into
// records; each record is decoded into a Packet as it arrives, and the source is paused while
// the consumer is behind, so memory stays flat however large the capture.
import type { Readable } from 'node:stream';
import { parse as parsePcap, type GlobalHeader, type PacketHeader } from 'pcap-parser';
import type { Packet, PacketTime } from '../model/packet.js';
import { ParseError } from '../parsers/parse-error.js';
import { decodeFrame, SUPPORTED_LINK_TYPES } from './decode-frame.js';
import { MagicGate, type ByteOrder, type TimeResolution } from './format.js';
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
  /** ifindex -> name (or `ip -o link` text of the capturing host) for SLL2 captures. */
  interfaces?: InterfaceNames;
}

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** Queue length at which the source is paused until the consumer catches up. */
const HIGH_WATER = 4096;
/** A record longer than this (and than the snaplen) is corruption, not a packet. */
const MAX_SANE_RECORD = 262144;

function packetTime(header: PacketHeader, resolution: TimeResolution): PacketTime {
  const sec = header.timestampSeconds;
  const frac = header.timestampMicroseconds;
  const nano = resolution === 'nano';
  return {
    seconds: sec + frac / (nano ? 1e9 : 1e6),
    clock: 'epoch',
    raw: `${sec}.${String(frac).padStart(nano ? 9 : 6, '0')}`,
  };
}

function asParseError(error: Error): ParseError {
  if (error instanceof ParseError) return error;
  return new ParseError(`not a readable pcap capture: ${error.message}`, 0);
}

/**
 * Decodes a classic pcap stream packet by packet. Throws (from the iteration) a ParseError for
 * pcapng, a foreign file, an unsupported link type, or a capture that ends inside a record.
 * Breaking out of the loop early destroys `input`.
 */
export async function* decodePcapStream(input: Readable, options: DecodeOptions = {}): AsyncGenerator<Packet> {
  const gate = new MagicGate();
  input.on('error', (error) => gate.destroy(error));
  input.pipe(gate);
  const parser = parsePcap(gate);
  const names = options.interfaces === undefined ? null : nameInterfaces(options.interfaces);

  let queue: Packet[] = [];
  let paused = false;
  let ended = false;
  let failure: ParseError | null = null;
  let wake: (() => void) | null = null;
  let header: PcapHeaderInfo | null = null;
  let records = 0;
  let bytesConsumed = GLOBAL_HEADER_BYTES;

  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const fail = (error: ParseError): void => {
    failure ??= error;
    input.unpipe(gate);
    gate.destroy();
    notify();
  };

  parser.on('globalHeader', (h: GlobalHeader) => {
    const flavour = gate.flavour;
    if (!flavour) return;
    if (!SUPPORTED_LINK_TYPES.has(h.linkLayerType)) {
      const known = [...SUPPORTED_LINK_TYPES].map(([n, name]) => `${n} ${name}`).join(', ');
      fail(new ParseError(`pcap link type ${h.linkLayerType} is not supported (supported: ${known})`, 0));
      return;
    }
    header = { ...flavour, version: `${h.majorVersion}.${h.minorVersion}`, snaplen: h.snapshotLength, linkType: h.linkLayerType };
    options.onHeader?.(header);
  });
  parser.on('packetHeader', (h: PacketHeader) => {
    if (header && h.capturedLength > Math.max(header.snaplen, MAX_SANE_RECORD)) {
      fail(new ParseError(`pcap record ${records + 1} at byte ${bytesConsumed} claims ${h.capturedLength} captured bytes, more than the snaplen ${header.snaplen}: the file is corrupt`, 0));
    }
  });
  parser.on('packet', ({ header: h, data }) => {
    if (!header || failure) return;
    records++;
    bytesConsumed += RECORD_HEADER_BYTES + h.capturedLength;
    const packet = decodeFrame(header.linkType, data, records, packetTime(h, header.resolution), h.originalLength);
    if (names && packet.link.ifindex !== null) packet.link.interface = names.get(packet.link.ifindex) ?? null;
    queue.push(packet);
    if (queue.length >= HIGH_WATER && !paused) {
      paused = true;
      gate.pause();
    }
    notify();
  });
  parser.on('error', (error: Error) => fail(asParseError(error)));
  parser.on('end', () => {
    ended = true;
    notify();
  });

  try {
    for (;;) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        if (paused) {
          paused = false;
          gate.resume();
        }
        for (const packet of batch) yield packet;
        continue;
      }
      if (failure) throw failure;
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (!header) throw new ParseError(`capture ends inside the ${GLOBAL_HEADER_BYTES}-byte pcap file header (${gate.bytesSeen} bytes)`, 0);
    if (gate.bytesSeen !== bytesConsumed) {
      throw new ParseError(
        `capture ends inside record ${records + 1}: ${gate.bytesSeen - bytesConsumed} trailing bytes at byte ${bytesConsumed} do not make a whole record`,
        0,
      );
    }
  } finally {
    if (!ended || failure) {
      input.unpipe(gate);
      gate.destroy();
      input.destroy();
    }
  }
}
