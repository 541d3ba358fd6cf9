// Packet captures: tcpdump writing pcap to stdout, bounded on the host by `timeout` (the
// transport's wrapper) and by -c, armed when it says "listening on" and has told its counters then,
// stopped by closing its stdin.
import { readRequestedCountersLine, type RequestedCounters } from '../parsers/tcpdump-text.js';
import { CAPTURE_OUTPUT_CAP } from '../transport/output-cap.js';
import type { RunResult, Transport } from '../transport/transport.js';
import { startArmedRun } from './armed-run.js';
import { defineProbe } from './define.js';
import type { ProbeCommand } from './probe.js';
import { interfaceName, ipAddress, port as validPort, positiveInt } from './validate.js';

export interface CaptureFilter {
  /** Packets to or from any of these addresses (the client's, usually). */
  hosts: string[];
  /** Also every ICMP packet: on a realserver a redirect comes DIP -> RIP, not from CIP. */
  icmp?: boolean;
  /** Restrict the hosts' packets to this TCP/UDP port (either direction). */
  port?: number;
  /**
   * Leave out what the doctor's own Q.1/Q.2 probes put on the wire (src/probes/ping.ts,
   * traceroute.ts), so they can run while the capture does: ICMP echo and echo reply, the UDP
   * probes of traceroute (ports 33434 on), and ICMP errors (redirects included) about anything
   * but TCP. For a TCP test connection over IPv4 only: its own ICMP errors quote TCP.
   */
  withoutProbes?: boolean;
}

/** The argv word only a capture that leaves the probes out holds (a replay asks the bundle for it). */
export const PROBES_LEFT_OUT_MARK = 'icmp-echoreply';

// ICMP errors quote the offending packet's IP header after their own 8 bytes: its protocol
// field is the 10th byte of that header, icmp[17]; 6 is TCP.
const PROBE_PACKETS = [
  'icmp[icmptype]', '=', 'icmp-echo', 'or', 'icmp[icmptype]', '=', PROBES_LEFT_OUT_MARK,
  'or', '(', '(', 'icmp[icmptype]', '=', 'icmp-unreach', 'or', 'icmp[icmptype]', '=', 'icmp-sourcequench',
  'or', 'icmp[icmptype]', '=', 'icmp-redirect', 'or', 'icmp[icmptype]', '=', 'icmp-timxceed',
  'or', 'icmp[icmptype]', '=', 'icmp-paramprob', ')', 'and', 'icmp[17]', '!=', '6', ')',
  'or', '(', 'udp', 'and', 'dst', 'portrange', '33434-33534', ')',
];

export interface CaptureSpec {
  host: string;
  iface: string;
  filter: CaptureFilter;
  maxPackets?: number;
  /** The remote bound: the capture ends by itself after this even if nobody stops it. */
  boundMs?: number;
  /**
   * Asks for Linux cooked v2 headers (`-y LINUX_SLL2`): on `-i any`, the only ones that say which
   * interface each packet came by. A tcpdump older than 4.99 (libpcap 1.10) refuses it and ends
   * before listening, instead of capturing packets no one could place.
   */
  interfaceIndexes?: boolean;
}

export const DEFAULT_CAPTURE_BOUND_MS = 20_000;

/**
 * How long a listening capture's counters may take to come back before the test connection
 * goes ahead without them (a round trip and a signal: milliseconds on a sane link).
 */
export const COUNTERS_WAIT_MS = 2_000;

/** BPF as separate argv tokens, built only from validated addresses and fixed keywords. */
export function bpfTokens(filter: CaptureFilter): string[] {
  if (filter.hosts.length === 0) throw new Error('a capture needs at least one address to filter on');
  const hosts = filter.hosts.map(ipAddress).flatMap((h, i) => (i === 0 ? ['host', h] : ['or', 'host', h]));
  const scoped = filter.port === undefined ? hosts : ['(', ...hosts, ')', 'and', 'port', String(validPort(filter.port))];
  const wanted = filter.icmp ? ['(', ...scoped, ')', 'or', 'icmp', 'or', 'icmp6'] : scoped;
  return filter.withoutProbes ? ['not', '(', ...PROBE_PACKETS, ')', 'and', '(', ...wanted, ')'] : wanted;
}

/** Bytes kept of each packet: link, IP and TCP/ICMP headers with room for options and IPv6. */
export const CAPTURE_SNAPLEN = 512;

export function captureProbe(spec: CaptureSpec): ProbeCommand {
  const max = positiveInt('packet count', spec.maxPackets ?? 200, 100_000);
  return defineProbe({
    // -s: headers are all the checks read (an ICMP error's quoted header included). With
    // --immediate-mode the kernel ring holds about 2 MiB / frame size packets, and on `-i any`
    // (no MTU to size frames by) a frame is the snaplen: at tcpdump's default 262144 bytes, 8
    // packets. A client too busy to schedule tcpdump for 8 packets lost the test connection's
    // SYN+ACK ("4 packets dropped by kernel") on a loaded 100-realserver lab.
    argv: ['tcpdump', '-U', '--immediate-mode', '-n', '-s', String(CAPTURE_SNAPLEN), '-w', '-', '-i', interfaceName(spec.iface), ...(spec.interfaceIndexes ? ['-y', 'LINUX_SLL2'] : []), '-c', String(max), ...bpfTokens(spec.filter)],
    parser: 'pcap',
    timeoutMs: spec.boundMs ?? DEFAULT_CAPTURE_BOUND_MS,
    needsRoot: true,
    // 124: the bound fired; the bytes so far are still a capture.
    acceptNonZeroExit: true,
    linuxOnly: false,
  });
}

export interface RunningCapture {
  spec: CaptureSpec;
  /**
   * Asks the listening tcpdump for its counters now; their answer comes to `onCounters`. False
   * when it cannot be asked: a replay, not listening or its first counters not in yet, stopped,
   * or an answer still owed (tcpdump may print one line for two signals that come together).
   */
  askCounters?(): boolean;
  /** Resolves when tcpdump says it is listening; rejects if it ends or fails first. */
  armed: Promise<void>;
  /** The whole run: the pcap bytes are its stdout. */
  done: Promise<RunResult>;
  stop(): void;
}

/** A listening capture's answer when asked for its counters (RunningCapture.askCounters). */
export interface CountersAnswer {
  /** Packets tcpdump had written when asked. */
  written: number;
  /**
   * Packets the kernel had taken for it and it had not written yet, as far as its counters
   * tell. libpcap also counts as received the packets that came before its filter was set and
   * never writes them (see captureLosses): the least gap between received and written seen in
   * any of its answers, the one when it listened included, is taken for those.
   */
  pending: number;
  /** Packets the kernel dropped since it listened. */
  lost: number;
}

/** Reads each counters line a capture prints when asked, the first being the one asked for when it listened. */
export class CountersReader {
  private armed: RequestedCounters | null = null;
  private leastGap = Infinity;

  /** Null for the first line (the one when it listened): it answers no question of the caller's. */
  read(counters: RequestedCounters): CountersAnswer | null {
    const gap = Math.max(0, counters.receivedByFilter - counters.captured - counters.droppedByKernel);
    this.leastGap = Math.min(this.leastGap, gap);
    if (this.armed === null) {
      this.armed = counters;
      return null;
    }
    return { written: counters.captured, pending: gap - this.leastGap, lost: Math.max(0, counters.droppedByKernel - this.armed.droppedByKernel) };
  }
}

/**
 * `onChunk`: the pcap bytes as they arrive (to read the capture while it runs); `onCounters`:
 * each answer to `askCounters`, in order.
 */
export function startCapture(transport: Transport, spec: CaptureSpec, parent?: AbortSignal, onChunk?: (chunk: Uint8Array) => void, onCounters?: (answer: CountersAnswer) => void): RunningCapture {
  const probe = captureProbe(spec);
  let ask: (() => boolean) | null = null;
  // The first counters line answers the request made when it listened (countersWhenArmed).
  let answered = 0;
  let asked = 1;
  const reader = new CountersReader();
  const run = startArmedRun(
    transport,
    spec.host,
    probe.argv,
    {
      timeoutMs: probe.timeoutMs,
      needsRoot: probe.needsRoot,
      // Binary pcap: no lines to count, only bytes (a -c bound the host may ignore).
      outputCap: CAPTURE_OUTPUT_CAP,
      // tcpdump never reads stdin: closing it is the stop, and a lost doctor or connection stops it too.
      endsOnStdinClose: true,
      isArmed: (line) => /^(tcpdump: )?listening on /.test(line),
      // What tcpdump counts before the test connection is not the test connection's (see captureLosses).
      countersWhenArmed: { isCounters: (line) => readRequestedCountersLine(line) !== null, waitMs: COUNTERS_WAIT_MS },
      endedUnarmed: (r) => `tcpdump ended before listening (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
      ...(onChunk ? { onStdoutChunk: onChunk } : {}),
      countersOnDemand: (asker) => (ask = asker),
      onStderrLine: (line) => {
        const counters = readRequestedCountersLine(line);
        if (counters === null) return;
        answered++;
        const answer = reader.read(counters);
        if (answer) onCounters?.(answer);
      },
    },
    parent,
  );
  const askCounters = (): boolean => {
    if (ask === null || answered < asked) return false;
    if (!ask()) return false;
    asked++;
    return true;
  };
  return { spec, ...run, askCounters };
}
