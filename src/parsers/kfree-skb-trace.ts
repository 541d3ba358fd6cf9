// The text of a tracefs instance's `trace` file as the --trace-drops script prints it
// (src/probes/drop-trace.ts): its own header lines (`# lvsd-instance NAME`, one
// `# lvsd-if NAME IFINDEX` per interface of the host, `# lvsd-path NAME...` for the interfaces
// on the test connection's path; recordings made before that line had their receives filtered
// to those interfaces by the kernel), ftrace's header (`# entries-in-buffer/
// entries-written: X/Y   #P:N`), then one line per event of four kinds:
//
//   <task>-<pid> [<cpu>] <flags> <seconds>: kfree_skb: skbaddr=... rx_sk=... protocol=2048 location=ip_rcv_finish_core+0x260/0x470 reason: IP_RPFILTER
//   <task>-<pid> [<cpu>] <flags> <seconds>: netif_receive_skb: dev=eth0 skbaddr=... len=60
//   <task>-<pid> [<cpu>] <flags> <seconds>: net_dev_xmit: dev=eth1 skbaddr=... len=74 rc=0
//   <task>-<pid> [<cpu>] <flags> <seconds>: fib_table_lookup: table 254 oif 0 iif 2 proto 0 10.0.0.1/0 -> 10.0.0.2/0 tos 0 scope 0 flags 0 ==> dev eth1 gw 0.0.0.0/:: err 0
//
// (5.17 to 6.x kernels print kfree_skb without rx_sk and with location as an address: both read.)
// "CPU:N [LOST M EVENTS]" lines count what an overrun ring lost.
import { ParseError } from '../model/parse-error.js';
import type { TextParser } from '../model/parser.js';
import { intField, numberedLines, type NumberedLine } from './lines.js';

interface EventBase {
  cpu: number;
  /** Seconds on the trace clock (the instance's `local` clock: only order and gaps mean anything). */
  ts: number;
  task: string;
  pid: number;
  line: number;
  /** The line as printed, for evidence. */
  text: string;
}

export interface TraceDrop extends EventBase {
  kind: 'drop';
  skb: string;
  protocol: number;
  /** The kernel function that freed it (`ip_rcv_finish_core+0x260/0x470`), or its address on older kernels. */
  location: string;
  /** The kernel's drop reason (`IP_RPFILTER`, `NO_SOCKET`, `NETFILTER_DROP`, ...). */
  reason: string;
}

export interface TraceReceive extends EventBase {
  kind: 'receive';
  skb: string;
  dev: string;
  len: number;
}

export interface TraceTransmit extends EventBase {
  kind: 'transmit';
  skb: string;
  dev: string;
  len: number;
}

export interface TraceRoute extends EventBase {
  kind: 'route';
  table: number;
  iif: number;
  oif: number;
  src: string;
  dst: string;
  /** The device the lookup chose ("-" when none). */
  dev: string;
  err: number;
}

export type TraceEvent = TraceDrop | TraceReceive | TraceTransmit | TraceRoute;

export interface KfreeSkbTrace {
  format: 'kfree-skb-trace';
  /** The private instance's name, as the script made it. */
  instance: string | null;
  /** The host's interfaces with their ifindex (what fib_table_lookup's iif means there). */
  interfaces: { name: string; ifindex: number }[];
  /** The interfaces the test connection comes in on (empty: any of the host's); null: an older
   * recording, whose receives the kernel already filtered to those interfaces. */
  path: string[] | null;
  entriesInBuffer: number | null;
  entriesWritten: number | null;
  /** Events the ring lost: written but no longer in it, plus LOST lines. */
  lost: number;
  /** The output ended inside a line (the script was stopped while printing): that line is left out. */
  truncated: boolean;
  events: TraceEvent[];
}

const EVENT_LINE = /^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+): (\w+): (.*)$/;
const DROP = /^skbaddr=(\S+)(?: rx_sk=\S+)? protocol=(\d+) location=(\S+) reason: (\w+)$/;
const RECEIVE = /^dev=(\S+) skbaddr=(\S+) len=(\d+)$/;
const TRANSMIT = /^dev=(\S+) skbaddr=(\S+) len=(\d+) rc=-?\d+$/;
const IPV4 = String.raw`(\d{1,3}(?:\.\d{1,3}){3})`;
const ROUTE = new RegExp(String.raw`^table (\d+) oif (-?\d+) iif (-?\d+) proto \d+ ${IPV4}/\d+ -> ${IPV4}/\d+ tos \d+ scope \d+ flags \w+ ==> dev (\S+) gw \S+ err (-?\d+)$`);

export function parseKfreeSkbTrace(input: string): KfreeSkbTrace {
  const result: KfreeSkbTrace = { format: 'kfree-skb-trace', instance: null, interfaces: [], path: null, entriesInBuffer: null, entriesWritten: null, lost: 0, truncated: false, events: [] };
  const lines = numberedLines(input);
  // Seen on a slow (TCG) guest: the host-side bound's KILL cut the printing mid-line.
  if (input !== '' && !input.endsWith('\n')) {
    lines.pop();
    result.truncated = true;
  }
  for (const l of lines) {
    if (l.text.trim() === '') continue;
    if (l.text.startsWith('#')) {
      readHeader(l, result);
      continue;
    }
    const lost = /^CPU:\d+ \[LOST (\d+) EVENTS\]$/.exec(l.text);
    if (lost) {
      result.lost += Number(lost[1]);
      continue;
    }
    result.events.push(readEvent(l));
  }
  if (result.entriesInBuffer !== null && result.entriesWritten !== null) result.lost += Math.max(0, result.entriesWritten - result.entriesInBuffer);
  return result;
}

function readHeader(l: NumberedLine, result: KfreeSkbTrace): void {
  const instance = /^# lvsd-instance (lvsd-[0-9a-f]+)$/.exec(l.text);
  if (instance) {
    result.instance = instance[1];
    return;
  }
  const iface = /^# lvsd-if (\S+) (\S+)$/.exec(l.text);
  if (iface) {
    result.interfaces.push({ name: iface[1], ifindex: intField(iface[2], 'an ifindex', l) });
    return;
  }
  const path = /^# lvsd-path(?: (.*))?$/.exec(l.text);
  if (path) {
    result.path = (path[1] ?? '').split(' ').filter(Boolean);
    return;
  }
  const entries = /^# entries-in-buffer\/entries-written: (\d+)\/(\d+)/.exec(l.text);
  if (entries) {
    result.entriesInBuffer = Number(entries[1]);
    result.entriesWritten = Number(entries[2]);
  }
  // Every other # line is ftrace's column legend.
}

function readEvent(l: NumberedLine): TraceEvent {
  const m = EVENT_LINE.exec(l.text);
  if (!m) throw new ParseError("expected a trace line '<task>-<pid> [<cpu>] <flags> <seconds>: <event>: ...'", l.no, l.text);
  const base: EventBase = { task: m[1].trim(), pid: Number(m[2]), cpu: Number(m[3]), ts: Number(m[4]), line: l.no, text: l.text.trim() };
  const [event, rest] = [m[5], m[6]];
  if (event === 'kfree_skb') {
    const d = DROP.exec(rest);
    if (!d) throw new ParseError("expected kfree_skb's 'skbaddr=... protocol=N location=... reason: REASON'", l.no, l.text);
    return { ...base, kind: 'drop', skb: d[1], protocol: Number(d[2]), location: d[3], reason: d[4] };
  }
  if (event === 'netif_receive_skb') {
    const r = RECEIVE.exec(rest);
    if (!r) throw new ParseError("expected netif_receive_skb's 'dev=NAME skbaddr=... len=N'", l.no, l.text);
    return { ...base, kind: 'receive', dev: r[1], skb: r[2], len: Number(r[3]) };
  }
  if (event === 'net_dev_xmit') {
    const t = TRANSMIT.exec(rest);
    if (!t) throw new ParseError("expected net_dev_xmit's 'dev=NAME skbaddr=... len=N rc=N'", l.no, l.text);
    return { ...base, kind: 'transmit', dev: t[1], skb: t[2], len: Number(t[3]) };
  }
  if (event === 'fib_table_lookup') {
    const r = ROUTE.exec(rest);
    if (!r) throw new ParseError("expected fib_table_lookup's 'table N oif N iif N proto N SRC/P -> DST/P ... ==> dev NAME gw ... err N'", l.no, l.text);
    return { ...base, kind: 'route', table: Number(r[1]), oif: Number(r[2]), iif: Number(r[3]), src: r[4], dst: r[5], dev: r[6], err: Number(r[7]) };
  }
  throw new ParseError(`expected a kfree_skb, netif_receive_skb, net_dev_xmit or fib_table_lookup event, not '${event}'`, l.no, l.text);
}

export const kfreeSkbTraceParser: TextParser<KfreeSkbTrace> = {
  id: 'kfree-skb-trace',
  description: 'a tracefs instance trace of skb:kfree_skb, net:netif_receive_skb, net:net_dev_xmit, fib:fib_table_lookup (lvs-doctor --trace-drops)',
  kind: 'text',
  parse: parseKfreeSkbTrace,
};
