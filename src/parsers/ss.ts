// `ss -ltn`, `ss -tn`, `ss -tan`, with or without `-H` (no header), `-p` (users:(...)) and a
// leading Netid column (`ss -tuln`). Addresses: `10.0.0.1:80`, `10.0.0.1%eth0:80`, `*:80`,
// `[::]:80`, `[fe80::1]%eth0:80`; ports may be `*` or, without -n, service names.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export interface SocketEndpoint {
  /** An address, '*' (any family), or a host name when ss resolved it. */
  address: string;
  /** null for '*'. */
  port: number | null;
  /** The service name when ss printed one instead of a number (no -n). */
  service: string | null;
  /** The interface after '%' (SO_BINDTODEVICE or an IPv6 scope). */
  iface: string | null;
}

export interface SocketProcess {
  name: string;
  pid: number;
  fd: number;
}

export interface SsSocket {
  netid: string | null;
  /** LISTEN, ESTAB, SYN-SENT, SYN-RECV, FIN-WAIT-1, TIME-WAIT, CLOSE-WAIT, UNCONN ... */
  state: string;
  recvQ: number;
  sendQ: number;
  local: SocketEndpoint;
  peer: SocketEndpoint;
  /** From `users:((...))` (-p); null when ss printed none. */
  processes: SocketProcess[] | null;
  /** Anything else after the peer (-e: uid, ino, sk; -o timers), verbatim. */
  extra: string | null;
  line: number;
}

export interface SsResult {
  format: 'ss';
  hasHeader: boolean;
  sockets: SsSocket[];
}

const states = new Set(['LISTEN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSING', 'CLOSED', 'UNCONN', 'UNKNOWN', 'NEW-SYN-REC', 'BOUND']);
const netids = new Set(['tcp', 'udp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'nl', 'p_raw', 'p_dgr', 'sctp', 'mptcp', 'tipc', 'xdp', 'icmp6', 'v_str', 'v_dgr']);

function endpoint(token: string, line: NumberedLine): SocketEndpoint {
  const m = /^(\[[^\]]*\]|[^%\s\[\]]*?)(?:%([^:\s]+))?:([^:\s]+)$/.exec(token);
  if (!m) throw new ParseError(`expected ADDRESS:PORT but found '${token}'`, line.no, line.text);
  const address = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  if (address !== '*' && !isIP(address) && !/^[A-Za-z0-9._-]+$/.test(address)) {
    throw new ParseError(`expected an address but found '${m[1]}'`, line.no, line.text);
  }
  const port = m[3];
  return {
    address, port: /^\d+$/.test(port) ? Number(port) : null, service: /^\d+$/.test(port) || port === '*' ? null : port,
    iface: m[2] ?? null,
  };
}

function processes(users: string, line: NumberedLine): SocketProcess[] {
  const found: SocketProcess[] = [];
  const re = /\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=(\d+)\)/g;
  let consumed = 0;
  for (let m = re.exec(users); m !== null; m = re.exec(users)) {
    found.push({ name: m[1], pid: Number(m[2]), fd: Number(m[3]) });
    consumed += m[0].length;
  }
  // Commas between entries are the only other characters allowed.
  if (found.length === 0 || consumed + found.length - 1 !== users.length) {
    throw new ParseError('expected users:(("name",pid=N,fd=N),...)', line.no, line.text);
  }
  return found;
}

function parseSocket(line: NumberedLine, withNetid: boolean): SsSocket {
  const tokens = line.text.trim().split(/\s+/);
  const netid = withNetid ? tokens.shift() ?? null : null;
  const [state, recvQ, sendQ, local, peer, ...rest] = tokens;
  if (!states.has(state)) throw new ParseError(`expected a socket state (LISTEN, ESTAB, ...) but found '${state}'`, line.no, line.text);
  if (!/^\d+$/.test(recvQ ?? '') || !/^\d+$/.test(sendQ ?? '')) throw new ParseError('expected Recv-Q and Send-Q counts', line.no, line.text);
  if (local === undefined || peer === undefined) throw new ParseError('expected local and peer addresses', line.no, line.text);
  let procs: SocketProcess[] | null = null;
  const extra: string[] = [];
  for (const tok of rest) {
    const users = /^users:\((.*)\)$/.exec(tok);
    if (users && procs === null) procs = processes(users[1], line);
    else extra.push(tok);
  }
  return {
    netid, state, recvQ: Number(recvQ), sendQ: Number(sendQ), local: endpoint(local, line), peer: endpoint(peer, line),
    processes: procs, extra: extra.length > 0 ? extra.join(' ') : null, line: line.no,
  };
}

export function parseSs(text: string): SsResult {
  const lines = numberedLines(text).filter((l) => l.text.trim() !== '');
  let hasHeader = false;
  let withNetid = false;
  let body = lines;
  const first = lines[0];
  if (first !== undefined && /^(Netid\s+)?State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\s*(Process)?\s*$/.test(first.text.trim())) {
    hasHeader = true;
    withNetid = first.text.trim().startsWith('Netid');
    body = lines.slice(1);
  } else if (first !== undefined) {
    // -H: no header; a Netid column shows as a protocol name before the state.
    withNetid = netids.has(first.text.trim().split(/\s+/)[0]);
  }
  const sockets: SsSocket[] = [];
  for (const line of body) {
    // Indented continuation lines carry -i/-m/-o details of the socket above.
    if (/^\s/.test(line.text) && sockets.length > 0) {
      const last = sockets[sockets.length - 1];
      last.extra = [last.extra, line.text.trim()].filter((x) => x !== null).join(' ');
      continue;
    }
    sockets.push(parseSocket(line, withNetid));
  }
  return { format: 'ss', hasHeader, sockets };
}

export const ssParser: TextParser<SsResult> = {
  id: 'ss',
  description: 'ss -ltn / -tn / -tan [-p] [-H] (TCP/UDP sockets with addresses, queues, processes)',
  kind: 'text',
  parse: parseSs,
};
