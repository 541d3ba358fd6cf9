// What the first four bytes of a capture say. pcap-parser (0.2.x) knows only the two
// microsecond magics, so a nanosecond file's header is handed to it with the microsecond magic
// of the same byte order and its fractions are read as nanoseconds; pcapng is refused by name.
import { ParseError } from '../model/parse-error.js';

export type ByteOrder = 'big-endian' | 'little-endian';
export type TimeResolution = 'micro' | 'nano';

export interface PcapFlavour {
  byteOrder: ByteOrder;
  resolution: TimeResolution;
}

const MAGICS: Record<string, PcapFlavour & { microMagic: string }> = {
  a1b2c3d4: { byteOrder: 'big-endian', resolution: 'micro', microMagic: 'a1b2c3d4' },
  d4c3b2a1: { byteOrder: 'little-endian', resolution: 'micro', microMagic: 'd4c3b2a1' },
  a1b23c4d: { byteOrder: 'big-endian', resolution: 'nano', microMagic: 'a1b2c3d4' },
  '4d3cb2a1': { byteOrder: 'little-endian', resolution: 'nano', microMagic: 'd4c3b2a1' },
};

export const PCAPNG_MESSAGE =
  'pcapng is not supported; convert it to classic pcap with `tcpdump -r in.pcapng -w out.pcap` (or `editcap -F pcap in.pcapng out.pcap`)';

/** Identifies a capture by its magic, or throws a ParseError saying what the bytes are instead. */
export function identifyMagic(head: Buffer): PcapFlavour & { microMagic: string } {
  const magic = head.toString('hex', 0, 4);
  if (magic === '0a0d0d0a') throw new ParseError(PCAPNG_MESSAGE, 0);
  const flavour = MAGICS[magic];
  if (!flavour) {
    throw new ParseError(`not a pcap capture: the file starts with 0x${magic || '(nothing)'}, expected a pcap magic (a1b2c3d4, a1b23c4d or byte-swapped)`, 0);
  }
  return flavour;
}
