// The heart of Q.3/Q.4: arm captures on every director interface, every reachable realserver
// and the client, wait until each tcpdump says it is listening, make the test connections from
// the client to VIP:VPORT (several at once, so round robin spreads them over realservers),
// stop the captures, decode them. The capture and connection commands are the probes'
// (src/probes/capture.ts, test-connection.ts); this file only orchestrates them.
import type { HostStatus } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { decodePcap, interfaceIndexesFromIpLink, mapInterfaceIndexes } from '../pcap/index.js';
import { readCaptureBanners } from '../parsers/tcpdump-text.js';
import { captureProbe, startCapture, type CaptureSpec, type RunningCapture } from '../probes/capture.js';
import { connectionProbe, detectConnectTool, judgeConnection, preferredConnectTool, type ConnectTool } from '../probes/test-connection.js';
import { TransportError, type RunResult, type Transport } from '../transport/transport.js';
import type { Facts } from '../facts/facts.js';
import type { DerivedParams } from './probe-catalog.js';
import type { CaptureFacts, CapturePlace, ConnectionAttempt, TestConnectionFacts } from '../facts/test-connection-facts.js';
import { startDropTrace, type DropTraceSpec, type RunningDropTrace } from '../probes/drop-trace.js';
import { planDropTraces, readDropTrace } from './drop-trace-phase.js';

export interface TestConnectionOptions {
  /** Seconds the client waits for each connection (a broken path costs exactly this). */
  connectTimeoutS?: number;
  /** How many parallel connections; default min(#RS, 4). */
  connections?: number;
  /** Packets per capture before tcpdump stops by itself. */
  maxPackets?: number;
  /** --trace-drops: read the kernel's drop reasons on the path's hosts during the connections. */
  traceDrops?: boolean;
}

interface PlannedCapture {
  place: CapturePlace;
  spec: CaptureSpec;
}

// A capture that starts after the SYN would prove a loss that is not: wait for every tcpdump
// to listen, bounded so a silent one cannot hang the run.
const ARM_TIMEOUT_MS = 8_000;

const SETTLE_OK_MS = 50;
const SETTLE_FAILED_MS = 400;

/** The fact name under which the engine records the client's connect tools. */
export const CONNECT_TOOLS_FACT = 'connect-tools' as const;

export async function runTestConnectionPhase(input: {
  transport: Transport;
  topology: Topology;
  facts: Facts;
  derived: DerivedParams;
  hosts: Map<string, HostStatus>;
  options?: TestConnectionOptions;
  /** Called once every capture listens (or could not), just before the connections. */
  onArmed?: () => void;
  /** Called once the test connections are over, before the captures settle and stop. */
  onConnectionsDone?: () => void;
  /** Aborted: captures stop and no more connections are made (the run reports what it has). */
  signal?: AbortSignal;
}): Promise<TestConnectionFacts> {
  const { transport, topology, derived, hosts } = input;
  const opts = input.options ?? {};
  const timeoutS = opts.connectTimeoutS ?? 2;
  const connections = Math.max(1, opts.connections ?? Math.min(topology.realservers.length, 4));
  const many = topology.realservers.length > 16;
  // With many realservers the Q.1/Q.2 probes' packets (pings to every RIP, traceroutes) share
  // the wire with the test connection: filter on the flow's own addresses and allow more.
  const maxPackets = opts.maxPackets ?? (many ? Math.min(5_000, 200 + 20 * topology.realservers.length) : 200);
  const boundMs = (timeoutS * 2 + 10) * 1000;
  const { vip, vport } = topology.service;
  const ok = (name: string): boolean => hosts.get(name)?.status === 'reachable';
  const client = topology.client.name;
  if (!ok(client)) {
    return { captures: [], attempts: [], error: `the client ${client} cannot be used (${hosts.get(client)?.status}); no test connection was made` };
  }
  // The flow's endpoints plus ICMP: a redirect is DIP -> RIP, an unreachable may come from anywhere.
  const addresses = [...new Set([vip, ...(derived.cip ? [derived.cip] : []), ...(many && derived.cip ? [] : topology.realservers.map((r) => r.rip))])];
  const spec = (host: string, iface: string): CaptureSpec => ({ host, iface, filter: { hosts: addresses, icmp: true }, maxPackets, boundMs });
  const plans: PlannedCapture[] = [];
  const d = topology.director.name;
  if (ok(d)) {
    if (derived.ext !== null && derived.ext === derived.int) plans.push({ place: 'director-one', spec: spec(d, derived.ext) });
    else {
      if (derived.ext) plans.push({ place: 'director-ext', spec: spec(d, derived.ext) });
      if (derived.int) plans.push({ place: 'director-int', spec: spec(d, derived.int) });
    }
  }
  // Up to 16 realservers, every one (each parallel connection lands on one of them). Beyond, a
  // capture on each would cost more than the whole run, and the connections land on few of
  // them: the director's int sees them all, and the first four still capture (a lab fault
  // pins the connections to its target, rs1 by default).
  for (const rs of topology.realservers.slice(0, many ? 4 : 16)) if (ok(rs.name)) plans.push({ place: 'realserver', spec: spec(rs.name, 'any') });
  plans.push({ place: 'client', spec: spec(client, 'any') });
  const traces = opts.traceDrops ? planDropTraces({ topology, facts: input.facts, derived, traced: ok, boundMs }) : [];

  // Found with the first probes when the engine ran them; asked on the client otherwise.
  const found = input.facts.parsed(client, CONNECT_TOOLS_FACT);
  const run = await runCapturedConnections(transport, {
    client,
    vip,
    vport,
    captures: plans.map((p) => p.spec),
    traces: traces.map((t) => t.spec),
    ...(found ? { tool: preferredConnectTool(found.available) } : {}),
    connections,
    connectTimeoutS: timeoutS,
    ...(input.onArmed ? { onArmed: input.onArmed } : {}),
    ...(input.onConnectionsDone ? { onConnectionsDone: input.onConnectionsDone } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const captures: CaptureFacts[] = await Promise.all(
    plans.map(async (plan, i): Promise<CaptureFacts> => {
      const base = { host: plan.spec.host, iface: plan.spec.iface, place: plan.place, command: captureProbe(plan.spec).argv.join(' ') };
      const { result, error } = run.captures[i];
      if (!result) return { ...base, packets: null, error: error ?? 'no capture' };
      if (result.stdout.length < 24) {
        return { ...base, packets: null, error: lastLine(result.stderr) || `tcpdump wrote no capture (exit ${result.exitCode})` };
      }
      try {
        const pcap = await decodePcap(result.stdout);
        const link = input.facts.outcome(plan.spec.host, 'ip-link');
        const packets = plan.spec.iface === 'any' && link?.ok ? mapInterfaceIndexes(pcap.packets, interfaceIndexesFromIpLink(link.stdout)) : pcap.packets;
        return { ...base, packets, ...captureLosses(result.stderr) };
      } catch (err) {
        return { ...base, packets: null, error: (err as Error).message };
      }
    }),
  );
  const flow = derived.cip ? { cip: derived.cip, vip, rips: topology.realservers.map((r) => r.rip) } : null;
  const drops = traces.map((t, i) => readDropTrace(t, flow, run.traces[i]));
  return { captures, attempts: run.attempts, ...(traces.length > 0 ? { drops } : {}) };
}

export interface CapturedConnectionsPlan {
  client: string;
  vip: string;
  vport: number;
  captures: CaptureSpec[];
  /** --trace-drops: kernel drop traces armed and stopped with the captures. */
  traces?: DropTraceSpec[];
  /** The client's connect tool; null: it has none; absent: ask the client. */
  tool?: ConnectTool | null;
  connections: number;
  connectTimeoutS: number;
  /** Called once every capture listens (or could not), just before the connections. */
  onArmed?: () => void;
  /** Called once the connections are over, before the captures settle and stop. */
  onConnectionsDone?: () => void;
  /** Aborted: every capture stops now, no connection starts, the ones running are stopped. */
  signal?: AbortSignal;
}

/** One capture as it ended: the tcpdump run (its stdout is the pcap), or why it proves nothing. */
export interface CapturedRun {
  spec: CaptureSpec;
  result: RunResult | null;
  error?: string;
}

/**
 * Arms every capture, makes the connections once each tcpdump listens, lets late packets
 * land, stops the captures. One broken capture or connection never sinks the others.
 */
export async function runCapturedConnections(transport: Transport, plan: CapturedConnectionsPlan): Promise<{ captures: CapturedRun[]; attempts: ConnectionAttempt[]; traces: { result: RunResult | null; error?: string }[] }> {
  const { client, vip, vport } = plan;
  const { signal } = plan;
  const running: (RunningCapture | Error)[] = plan.captures.map((spec) => {
    try {
      return startCapture(transport, spec, signal);
    } catch (err) {
      return err as Error;
    }
  });
  const traces: RunningDropTrace[] = (plan.traces ?? []).map((spec) => startDropTrace(transport, spec, signal));
  // Whatever happens below (a callback that throws included), no capture outlives this call.
  try {
    // Which captures were listening before the first SYN: one that was not would report the
    // test connection's packets as missing when it simply started too late.
    const listening = running.map(() => false);
    running.forEach((r, i) => {
      if (!(r instanceof Error)) r.armed.then(() => (listening[i] = true), () => undefined);
    });
    await Promise.race([
      Promise.all([...running, ...traces].map((r) => (r instanceof Error ? Promise.resolve() : r.armed.catch(() => undefined)))),
      sleep(ARM_TIMEOUT_MS, true),
      ...(signal ? [aborted(signal)] : []),
    ]);
    const listeningAtConnect = [...listening];
    plan.onArmed?.();

    let tool: ConnectTool | null;
    try {
      tool = plan.tool !== undefined ? plan.tool : await detectConnectTool(transport, client);
    } catch {
      tool = null;
    }
    const attempts: ConnectionAttempt[] = signal?.aborted
      ? []
      : tool
      ? await Promise.all(Array.from({ length: plan.connections }, () => connectOnce(transport, client, tool, vip, vport, plan.connectTimeoutS, signal)))
      : [{ host: client, command: 'command -v curl bash socat nc', output: 'none of curl, bash, socat, nc on the client', exitCode: -1, ok: false, durationMs: 0 }];
    plan.onConnectionsDone?.();
    // A connection that worked has crossed every hop by the time the client has its answer; one
    // that failed may still draw a retransmission, a RST or an ICMP error: give those time to land.
    if (!signal?.aborted) await sleep(attempts.every((a) => a.ok) ? SETTLE_OK_MS : SETTLE_FAILED_MS);
    for (const r of [...running, ...traces]) if (!(r instanceof Error)) r.stop();

    const traced = await Promise.all(traces.map((t) => t.done.then((result) => ({ result }), (err: Error) => ({ result: null, error: err instanceof TransportError ? `${err.kind}: ${err.message}` : err.message }))));
    const captures = await Promise.all(
      running.map(async (r, i): Promise<CapturedRun> => {
        const spec = plan.captures[i];
        if (r instanceof Error) return { spec, result: null, error: r.message };
        if (!listeningAtConnect[i]) {
          await r.done.catch(() => undefined);
          return { spec, result: null, error: `tcpdump was not listening within ${ARM_TIMEOUT_MS / 1000} s, before the test connection: its capture proves nothing` };
        }
        try {
          return { spec, result: await r.done };
        } catch (err) {
          return { spec, result: null, error: err instanceof TransportError ? `${err.kind}: ${err.message}` : (err as Error).message };
        }
      }),
    );
    return { captures, attempts, traces: traced };
  } finally {
    for (const r of [...running, ...traces]) if (!(r instanceof Error)) r.stop();
  }
}

async function connectOnce(transport: Transport, client: string, tool: ConnectTool, vip: string, vport: number, timeoutS: number, signal?: AbortSignal): Promise<ConnectionAttempt> {
  const probe = connectionProbe(tool, vip, vport, timeoutS);
  const command = probe.argv.join(' ');
  const started = performance.now();
  try {
    const r = await transport.run(client, probe.argv, { timeoutMs: probe.timeoutMs, ...(signal ? { signal } : {}) });
    const judged = judgeConnection(tool, r);
    const output = [Buffer.from(r.stdout).toString('utf8').trim(), lastLine(r.stderr)].filter(Boolean).join(' ');
    return { host: client, command, output, exitCode: r.exitCode, ok: judged.connected === true, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { host: client, command, output: (err as Error).message, exitCode: -1, ok: false, durationMs: Math.round(performance.now() - started) };
  }
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .filter((l) => l.trim() !== '' && !/listening on|packets? (captured|received|dropped)|lvs-doctor-pid|data link type/.test(l))
      .pop()
      ?.trim() ?? ''
  );
}

/** Resolves once `signal` is aborted (never, if it never is). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `weak`: a bound that must not keep the process alive on its own. */
function sleep(ms: number, weak = false): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (weak) t.unref();
  });
}

/** What tcpdump's exit counters say it lost: dropped by the kernel, or taken in and not written (absent: none, or no counters printed). */
export function captureLosses(stderr: string): Pick<CaptureFacts, 'unread' | 'dropped'> {
  const c = readCaptureBanners(stderr);
  const dropped = c.droppedByKernel ?? 0;
  // Linux counts the kernel's drops among the packets received by the filter.
  const unread = c.captured === null || c.receivedByFilter === null ? 0 : Math.max(0, c.receivedByFilter - c.captured - dropped);
  return { ...(unread > 0 ? { unread } : {}), ...(dropped > 0 ? { dropped } : {}) };
}
