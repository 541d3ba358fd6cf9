// pcap-parser ships no types; this is the part of its event API that src/pcap uses.
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface GlobalHeader {
    magicNumber: number;
    majorVersion: number;
    minorVersion: number;
    gmtOffset: number;
    timestampAccuracy: number;
    snapshotLength: number;
    linkLayerType: number;
  }

  export interface PacketHeader {
    timestampSeconds: number;
    /** Microseconds, or nanoseconds in a nanosecond file (pcap-parser does not know the difference). */
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }

  export interface PcapPacket {
    header: PacketHeader;
    data: Buffer;
  }

  export interface PcapParser extends EventEmitter {
    on(event: 'globalHeader', listener: (header: GlobalHeader) => void): this;
    on(event: 'packetHeader', listener: (header: PacketHeader) => void): this;
    on(event: 'packet', listener: (packet: PcapPacket) => void): this;
    on(event: 'end', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  export function parse(input: string | Readable): PcapParser;
}
