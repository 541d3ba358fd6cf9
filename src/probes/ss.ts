import { ParseError } from '../model/parse-error.js';
import type { SsResult } from '../parsers/ss.js';
import { isIPv6, sameAddress } from '../util/ip.js';
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';
import { ipAddress, port } from './validate.js';

export function ssListen(): ProbeCommand {
  return defineProbe({ argv: ['ss', '-ltn'], parser: 'ss', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}

export interface SocketTuple {
  local: { address: string; port: number };
  peer: { address: string; port: number };
}

const endpoint = (address: string, p: number): string => (isIPv6(address) ? `[${ipAddress(address)}]:${port(p)}` : `${ipAddress(address)}:${port(p)}`);

/**
 * The host's TCP sockets of one connection (`ss` lists every state but LISTEN by default),
 * read while the test connection runs: whether a realserver's kernel holds the connection a
 * SYN opened (SYN-RECV: it answered, and sends its SYN+ACK again by itself).
 */
export function ssConnection(tuple: SocketTuple): ProbeCommand {
  return defineProbe({ argv: ['ss', '-tan', 'src', endpoint(tuple.local.address, tuple.local.port), 'dst', endpoint(tuple.peer.address, tuple.peer.port)], parser: 'ss', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true, quick: true });
}

/**
 * Whether ssConnection's answer shows a socket of the tuple that can still send by itself: any
 * state but TIME-WAIT (a SYN-RECV sends its SYN+ACK again, an established one its data). Throws
 * ParseError for a socket outside the tuple (an ss that ignored its filter).
 */
export function holdsConnection({ sockets }: SsResult, tuple: SocketTuple): boolean {
  const same = (e: { address: string; port: number | null }, want: { address: string; port: number }): boolean => e.port === want.port && sameAddress(e.address, want.address);
  const ofTuple = sockets.filter((s) => same(s.local, tuple.local) && same(s.peer, tuple.peer));
  if (ofTuple.length !== sockets.length) {
    const other = sockets.find((s) => !ofTuple.includes(s))!;
    throw new ParseError('ss listed a socket outside the filter it was given', other.line, `${other.local.address}:${other.local.port} ${other.peer.address}:${other.peer.port}`);
  }
  return ofTuple.some((s) => s.state !== 'TIME-WAIT');
}
