// Parser id `proc-ip-vs-conn`: /proc/net/ip_vs_conn (ip_vs_conn_seq_show in
// net/netfilter/ipvs/ip_vs_conn.c):
//   "%-3s %08X %04X %08X %04X %08X %04X %-11s %7u%s"  (IPv4: hex address, hex port)
//   "%-3s %pI6 %04X %pI6 %04X %pI6 %04X %-11s %7u%s"  (IPv6: full address, hex port)
// The destination may be of the other family (tunnelling to an IPv6 real server). The
// trailing %s is " PENAME PEDATA" for connections of a persistence engine (sip), else empty.
// Kernels before 2.6.37 print the header without "PEName PEData".
import type { TextParser } from '../model/parser.js';
import { contentLines, type NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { fields, normalised, parseUnsigned } from './ipvsadm-common.js';
import { fullIpv6, hexToIpv4, type ProcIpVsEndpoint } from './proc-ip-vs.js';

export interface ProcIpVsConnection {
  /** TCP, UDP, SCTP; "IP" for a persistence template; ICMP/ICMPv6 or IP_n as the kernel names them. */
  protocol: string;
  client: ProcIpVsEndpoint;
  virtual: ProcIpVsEndpoint;
  destination: ProcIpVsEndpoint;
  state: string;
  expiresSeconds: number;
  peName: string | null;
  peData: string | null;
}

export interface ProcIpVsConn {
  format: 'proc-ip-vs-conn';
  connections: ProcIpVsConnection[];
}

const HEADERS = [
  'Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires PEName PEData',
  'Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires',
];
const PROTOCOL = /^(TCP|UDP|SCTP|IP|ICMP|ICMPv6|IP_\d+)$/;

export function parseProcIpVsConn(text: string): ProcIpVsConn {
  const [header, ...rows] = contentLines(text);
  if (!header || !HEADERS.includes(normalised(header.text))) {
    throw new ParseError("expected the header 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires ...'", header?.no ?? 0, header?.text);
  }
  return { format: 'proc-ip-vs-conn', connections: rows.map(parseRow) };
}

function parseRow(line: NumberedLine): ProcIpVsConnection {
  const f = fields(line.text);
  const [protocol, caddr, cport, vaddr, vport, daddr, dport, state, expires, peName, ...peData] = f;
  if (protocol === undefined || !PROTOCOL.test(protocol)) throw new ParseError('expected a protocol (TCP, UDP, SCTP, IP, ...)', line.no, line.text);
  if (state === undefined || !/^[A-Z][A-Z0-9_]*!?$/.test(state)) throw new ParseError('expected a connection state after the three address/port pairs', line.no, line.text);
  return {
    protocol,
    client: endpoint(caddr, cport, line, 'the client (FromIP FPrt)'),
    virtual: endpoint(vaddr, vport, line, 'the virtual address (ToIP TPrt)'),
    destination: endpoint(daddr, dport, line, 'the destination (DestIP DPrt)'),
    state,
    expiresSeconds: parseUnsigned(expires, line, 'Expires (seconds)'),
    peName: peName ?? null,
    peData: peName === undefined ? null : peData.join(' '),
  };
}

function endpoint(address: string | undefined, port: string | undefined, line: NumberedLine, what: string): ProcIpVsEndpoint {
  if (address === undefined || port === undefined || !/^[0-9A-F]{4}$/i.test(port)) {
    throw new ParseError(`expected ${what} as hex address and 4-hex-digit port`, line.no, line.text);
  }
  const parsed = /^[0-9A-F]{8}$/i.test(address) ? hexToIpv4(address) : fullIpv6(address);
  if (parsed === null) throw new ParseError(`expected ${what}: 8 hex digits or a full IPv6 address`, line.no, line.text);
  return { address: parsed, port: parseInt(port, 16) };
}

export const procIpVsConnParser: TextParser<ProcIpVsConn> = {
  id: 'proc-ip-vs-conn',
  description: '/proc/net/ip_vs_conn: IPVS connection entries as the kernel prints them (hex addresses and ports)',
  kind: 'text',
  parse: parseProcIpVsConn,
};
