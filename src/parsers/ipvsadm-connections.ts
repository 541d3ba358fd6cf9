// `ipvsadm -Lnc` (and -Lc, and -Lnc --persistent-conn): the connection table, which ipvsadm
// reads from /proc/net/ip_vs_conn and prints with print_conn():
//   "%-3s %-6s %-11s %-18s %-18s %s" = pro, MM:SS, state, client, virtual, destination
// plus "pe name" and "pe_data" columns with --persistent-conn when the kernel has them.
import type { NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { CONNECTION_ENDPOINT_COLUMN, fields, normalised, parseEndpoint, type IpvsEndpoint } from './ipvsadm-common.js';

export interface IpvsadmConnection {
  /** TCP, UDP, SCTP; "IP" for a persistence template; ICMP/ICMPv6 or IP_n as the kernel names them. */
  protocol: string;
  /** TCP: ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, ...; UDP: UDP; templates: NONE. */
  state: string;
  expiresSeconds: number;
  client: IpvsEndpoint;
  virtual: IpvsEndpoint;
  destination: IpvsEndpoint;
  /** --persistent-conn only, and only on lines the kernel printed a persistence engine for. */
  peName?: string;
  peData?: string;
}

export interface IpvsadmConnections {
  format: 'ipvsadm-connections';
  /** true when the listing had the "pe name pe_data" columns (--persistent-conn). */
  persistentConn: boolean;
  connections: IpvsadmConnection[];
  /** Rows without the two title lines (`ipvsadm -Lnc | grep SYN_RECV`). */
  headerless?: true;
}

export const CONNECTIONS_TITLE = 'IPVS connection entries';
const COLUMNS = 'pro expire state source virtual destination';
const COLUMNS_PE = 'pro expire state source virtual destination pe name pe_data';
const PROTOCOL = /^(TCP|UDP|SCTP|IP|ICMP|ICMPv6|IP_\d+)$/;
const STATE = /^[A-Z][A-Z0-9_]*!?$/;

export function parseConnections(lines: NumberedLine[]): IpvsadmConnections {
  const [title, columns, ...rows] = lines;
  if (!title || normalised(title.text) !== CONNECTIONS_TITLE) {
    throw new ParseError(`expected '${CONNECTIONS_TITLE}'`, title?.no ?? 0, title?.text);
  }
  const header = columns ? normalised(columns.text) : '';
  if (header !== COLUMNS && header !== COLUMNS_PE) {
    throw new ParseError("expected the column line 'pro expire state source virtual destination'", columns?.no ?? title.no, columns?.text);
  }
  const persistentConn = header === COLUMNS_PE;
  return { format: 'ipvsadm-connections', persistentConn, connections: rows.map((row) => parseRow(row, persistentConn)) };
}

/** True when the line reads as one row of the table ("TCP 00:59 SYN_RECV ..."). */
export function isConnectionRow(text: string): boolean {
  const f = fields(text);
  return f.length >= 6 && PROTOCOL.test(f[0]) && /^\d+:\d\d$/.test(f[1]) && STATE.test(f[2]);
}

/** A grep fragment of the table: rows only, read with the default columns. */
export function parseHeaderlessConnections(lines: NumberedLine[]): IpvsadmConnections {
  return { format: 'ipvsadm-connections', persistentConn: false, connections: lines.map((row) => parseRow(row, false)), headerless: true };
}

function parseRow(line: NumberedLine, persistentConn: boolean): IpvsadmConnection {
  const f = fields(line.text);
  const [protocol, expire, state, client, virtual, destination, peName, ...peData] = f;
  if (protocol === undefined || !PROTOCOL.test(protocol)) throw new ParseError('expected a protocol (TCP, UDP, SCTP, IP, ...)', line.no, line.text);
  const m = expire === undefined ? null : /^(\d+):(\d\d)$/.exec(expire);
  if (!m) throw new ParseError('expected the expiry as MM:SS', line.no, line.text);
  if (state === undefined || !STATE.test(state)) throw new ParseError('expected a connection state', line.no, line.text);
  if (client === undefined || virtual === undefined || destination === undefined) {
    throw new ParseError('expected source, virtual and destination ADDRESS:PORT', line.no, line.text);
  }
  const connection: IpvsadmConnection = {
    protocol,
    state,
    expiresSeconds: Number(m[1]) * 60 + Number(m[2]),
    client: parseEndpoint(client, CONNECTION_ENDPOINT_COLUMN, line, 'the source'),
    virtual: parseEndpoint(virtual, CONNECTION_ENDPOINT_COLUMN, line, 'the virtual address'),
    destination: parseEndpoint(destination, CONNECTION_ENDPOINT_COLUMN, line, 'the destination'),
  };
  if (peName !== undefined) {
    if (!persistentConn) throw new ParseError('expected nothing after the destination', line.no, line.text);
    connection.peName = peName;
    connection.peData = peData.join(' ');
  }
  return connection;
}
