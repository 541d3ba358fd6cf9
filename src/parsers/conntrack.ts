// `conntrack -L` (conntrack-tools): one flow per line,
// `PROTO NUM TIMEOUT [STATE] ORIGINAL-TUPLE [UNREPLIED] REPLY-TUPLE [ASSURED] mark=M [zone=Z] use=U`,
// plus the `N flow entries have been shown.` line conntrack writes to stderr (kept when merged).
// On a netfilter-NAT director the reply tuple shows where a flow was DNATed to.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface ConntrackTuple {
  src: string;
  dst: string;
  sport: number | null;
  dport: number | null;
  /** ICMP type/code/id. */
  type: number | null;
  code: number | null;
  id: number | null;
  /** With `-o extended` accounting: per-direction counters. */
  packets: number | null;
  bytes: number | null;
  /** Any other per-direction keys (srckey/dstkey of GRE, zone-orig ...), verbatim. */
  other: Record<string, string>;
}

export interface ConntrackEntry {
  /** `ipv4`/`ipv6` when listed with `-o extended`, else null. */
  l3: string | null;
  protocol: string;
  protocolNumber: number;
  timeout: number;
  /** TCP/SCTP/DCCP state (ESTABLISHED, SYN_SENT, TIME_WAIT ...); null for UDP/ICMP. */
  state: string | null;
  orig: ConntrackTuple;
  reply: ConntrackTuple;
  /** UNREPLIED, ASSURED, OFFLOAD, HW_OFFLOAD ... */
  flags: string[];
  mark: number | null;
  zone: number | null;
  use: number | null;
  /** Other entry-level keys (secctx, labels, delta-time, timestamps), verbatim. */
  other: Record<string, string>;
  line: number;
}

export interface ConntrackResult {
  format: 'conntrack';
  entries: ConntrackEntry[];
  /** From `conntrack vX (conntrack-tools): N flow entries have been shown.` when present. */
  shownCount: number | null;
  toolVersion: string | null;
}

const tupleNumbers = new Set(['sport', 'dport', 'type', 'code', 'id', 'packets', 'bytes']);

function newTuple(): ConntrackTuple {
  return { src: '', dst: '', sport: null, dport: null, type: null, code: null, id: null, packets: null, bytes: null, other: {} };
}

function setTupleKey(tuple: ConntrackTuple, key: string, value: string, line: NumberedLine): void {
  if (key === 'src' || key === 'dst') tuple[key] = value;
  else if (tupleNumbers.has(key)) {
    if (!/^\d+$/.test(value)) throw new ParseError(`expected a number for ${key}`, line.no, line.text);
    tuple[key as 'sport'] = Number(value);
  } else tuple.other[key] = value;
}

const entryNumbers = new Set(['mark', 'zone', 'use']);
const tupleKeys = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id', 'packets', 'bytes', 'srckey', 'dstkey', 'zone-orig', 'zone-reply']);

function parseEntry(line: NumberedLine): ConntrackEntry {
  const tokens = line.text.trim().split(/\s+/);
  let i = 0;
  let l3: string | null = null;
  if (tokens[0] === 'ipv4' || tokens[0] === 'ipv6') {
    l3 = tokens[0];
    if (!/^\d+$/.test(tokens[1] ?? '')) throw new ParseError('expected the layer-3 protocol number', line.no, line.text);
    i = 2;
  }
  const [protocol, num, timeout] = tokens.slice(i, i + 3);
  if (protocol === undefined || !/^[a-z0-9]+$/.test(protocol) || !/^\d+$/.test(num ?? '') || !/^\d+$/.test(timeout ?? '')) {
    throw new ParseError("expected 'PROTOCOL NUMBER TIMEOUT' at the start of a flow", line.no, line.text);
  }
  i += 3;
  let state: string | null = null;
  if (tokens[i] !== undefined && /^[A-Z_0-9]+$/.test(tokens[i])) state = tokens[i++];
  const entry: ConntrackEntry = {
    l3, protocol, protocolNumber: Number(num), timeout: Number(timeout), state, orig: newTuple(), reply: newTuple(), flags: [],
    mark: null, zone: null, use: null, other: {}, line: line.no,
  };
  // Tuple keys belong to the original direction until a second `src=` starts the reply.
  let direction: 'orig' | 'reply' | 'done' = 'orig';
  for (; i < tokens.length; i++) {
    const tok = tokens[i];
    const flag = /^\[([A-Z_]+)\]$/.exec(tok);
    if (flag) { entry.flags.push(flag[1]); continue; }
    const kv = /^([a-z][a-z0-9_-]*)=(\S*)$/.exec(tok);
    if (!kv) throw new ParseError(`expected key=value or [FLAG] but found '${tok}'`, line.no, line.text);
    const [, key, value] = kv;
    if (key === 'src' && direction === 'orig' && entry.orig.src !== '') direction = 'reply';
    else if (key === 'src' && direction === 'reply' && entry.reply.src !== '') throw new ParseError('expected two tuples only', line.no, line.text);
    if (direction !== 'done' && tupleKeys.has(key)) {
      setTupleKey(direction === 'orig' ? entry.orig : entry.reply, key, value, line);
      continue;
    }
    if (direction === 'reply') direction = 'done';
    if (entryNumbers.has(key)) {
      if (!/^\d+$/.test(value)) throw new ParseError(`expected a number for ${key}`, line.no, line.text);
      entry[key as 'mark'] = Number(value);
    } else entry.other[key] = value;
  }
  if (entry.orig.src === '' || entry.orig.dst === '' || entry.reply.src === '' || entry.reply.dst === '') {
    throw new ParseError('expected an original and a reply tuple (src= dst= ... src= dst= ...)', line.no, line.text);
  }
  return entry;
}

export function parseConntrack(text: string): ConntrackResult {
  const r: ConntrackResult = { format: 'conntrack', entries: [], shownCount: null, toolVersion: null };
  for (const line of numberedLines(text)) {
    if (line.text.trim() === '') continue;
    const summary = /^conntrack v(\S+) \(conntrack-tools\): (\d+) flow entries have been shown\.$/.exec(line.text.trim());
    if (summary) {
      if (r.shownCount !== null) throw new ParseError('expected one summary line', line.no, line.text);
      r.toolVersion = summary[1];
      r.shownCount = Number(summary[2]);
      continue;
    }
    r.entries.push(parseEntry(line));
  }
  return r;
}

export const conntrackParser: TextParser<ConntrackResult> = {
  id: 'conntrack',
  description: 'conntrack -L [-o extended] (flows with original/reply tuples, state, [ASSURED]/[UNREPLIED], mark, zone)',
  kind: 'text',
  parse: parseConntrack,
};
