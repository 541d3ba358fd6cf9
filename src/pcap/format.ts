// What the first four bytes of a capture say. pcap-parser (0.2.x) knows only the two
// microsecond magics, so a nanosecond file is handed to it with the microsecond magic of the
// same byte order and its fraction read as nanoseconds here; pcapng is refused by name.
import { Transform, type TransformCallback } from 'node:stream';
import { ParseError } from '../parsers/parse-error.js';

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

/**
 * Passes a capture through unchanged except for the magic of a nanosecond file, and counts
 * the bytes so that a capture ending inside a record can be told from a complete one.
 */
export class MagicGate extends Transform {
  flavour: PcapFlavour | null = null;
  bytesSeen = 0;
  private head: Buffer[] = [];
  private headLength = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.flavour) {
      callback(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < 4) {
      callback();
      return;
    }
    this.release(callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.flavour) {
      callback();
      return;
    }
    if (this.headLength === 0) {
      callback(new ParseError('empty input: expected a pcap capture', 0));
      return;
    }
    this.release(callback);
  }

  private release(callback: TransformCallback): void {
    const all = Buffer.concat(this.head, this.headLength);
    this.head = [];
    try {
      const found = identifyMagic(all);
      this.flavour = { byteOrder: found.byteOrder, resolution: found.resolution };
      // Buffer.concat made a copy, so the caller's buffer is never rewritten.
      if (found.resolution === 'nano') all.write(found.microMagic, 0, 'hex');
      callback(null, all);
    } catch (error) {
      callback(error as Error);
    }
  }
}
