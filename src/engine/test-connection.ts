// The heart of Q.3/Q.4: arm captures on every director interface, every reachable realserver
// and the client, wait until each tcpdump says it is listening, make the test connections from
// the client to VIP:VPORT (several at once, so round robin spreads them over realservers),
// stop the captures, decode them. The capture and connection commands are the probes'
// (src/probes/capture.ts, test-connection.ts); this file only orchestrates them.
import type { HostStatus } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { decodePcap, interfaceIndexesFromIpLink, mapInterfaceIndexes } from '../pcap/index.js';
import { readCaptureBanners, readRequestedCounters } from '../parsers/tcpdump-text.js';
import { captureProbe, startCapture, type CaptureSpec, type RunningCapture } from '../probes/capture.js';
import { connectionProbe, detectConnectTool, judgeConnection, preferredConnectTool, type ConnectTool } from '../probes/test-connection.js';
import { answersOrThrown, TransportError, type RunResult, type Transport } from '../transport/transport.js';
import type { Packet } from '../model/packet.js';
import { decideFromWire, type LiveCapture, type WireDecision } from '../facts/wire-decision.js';
import { ripsPingUnanswered } from '../facts/readers.js';
import { clientArpRefusal } from '../facts/client-arp-refusal.js';
import { BOTH_SIDES_IFACE, interfaceNames, splitDirectorSides, unnamedSide, type DirectorSides } from './director-sides.js';
import type { IpAddrResult } from '../parsers/ip-addr.js';
import type { Facts } from '../facts/facts.js';
import type { DerivedParams } from './probe-catalog.js';
import type { CaptureFacts, CapturePlace, ConnectionAttempt, TestConnectionFacts } from '../facts/test-connection-facts.js';
import { startDropTrace, traceFailure, type DropTraceSpec, type RunningDropTrace } from '../probes/drop-trace.js';
import { planDropTraces, readDropTrace } from './drop-trace-phase.js';
import { HeldConnections } from './held-connections.js';
import { WIRE_DECIDED, WireWatch } from './wire-watch.js';

export interface TestConnectionOptions {
  /** Seconds the client waits for each connection (a broken path costs exactly this). */
  connectTimeoutS?: number;
  /** How many parallel connections; default min(#RS, 4). */
  connections?: number;
  /** Packets per capture before tcpdump stops by itself. */
  maxPackets?: number;
  /** --trace-drops: read the kernel's drop reasons on the path's hosts during the connections. */
  traceDrops?: boolean;
  /**
   * The captures leave out the doctor's own Q.1/Q.2 probe packets (src/probes/capture.ts,
   * withoutProbes). The engine decides it (src/engine/probes-alongside.ts); a replay says
   * whether its bundle was recorded so (recordedLeavingProbesOut).
   */
  leaveProbesOut?: boolean;
  /**
   * false: the captures wait for the first round of probes even where they could start with it
   * (src/engine/before-connection.ts); the order runs had before issue 12's change, for tests.
   */
  earlyCaptures?: boolean;
  /** How long early captures wait for the first round before they are given up (default EARLY_START_ALLOWANCE_MS; tests shorten it). */
  earlyAllowanceMs?: number;
  /**
   * The director's ext and int captured together, by one `tcpdump -i any` split by interface
   * (src/engine/director-sides.ts). Live runs do; a replay does as its bundle was recorded
   * (recordedBothSides).
   */
  directorSidesTogether?: boolean;
}

/** One capture and where its packets count: at one place, or (`sides`) on the director's ext and int by interface. */
interface PlannedCapture {
  place: CapturePlace;
  spec: StandingCapture;
  sides?: DirectorSides;
}

/** A capture of the plan, or one standing by for another. */
export interface StandingCapture extends CaptureSpec {
  /**
   * Index (in the same list) of the capture this one stands in for: started only if that one
   * ends before it listens (the director's sides captured apart when its tcpdump cannot
   * capture them together).
   */
  standbyFor?: number;
}

// A capture that starts after the SYN would prove a loss that is not: wait for every tcpdump
// to listen, bounded so a silent one cannot hang the run.
const ARM_TIMEOUT_MS = 8_000;
/**
 * With --trace-drops the connections wait as long for the traces. Each trace makes a tracefs
 * instance, which before Linux 6.6 (eventfs) builds a directory for every one of the kernel's
 * ~1,500 events: measured on the real-IPVS guest (6.1, one vCPU under qemu TCG), five traces
 * armed 6.2-7.1 s into the phase, so an 8 s bound let the SYN go, under load, before the
 * director's trace recorded it (BENCHMARKS.md, "Drop traces arming on the real-IPVS guest").
 */
const TRACE_ARM_TIMEOUT_MS = 20_000;

/**
 * How much longer an early capture's own bound on its host is (it listens while the first round
 * finishes); the engine gives up the early captures, and arms new ones, past it.
 */
export const EARLY_START_ALLOWANCE_MS = 10_000;

const SETTLE_OK_MS = 50;
/** After failed connections the wire has not decided: room for a retransmission, a RST or an ICMP error to land. */
export const SETTLE_FAILED_MS = 400;
// How long the captures settle once the wire decided: wire-watch.ts (WireWatch.settleMs).
export { SETTLE_DECIDED_MS, SETTLE_SILENT_MS } from './wire-watch.js';

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
  /**
   * The director's parsed `ip -o addr` once it is in (null: it failed or never ran): it names
   * each interface's index, for the capture of both sides. Default: the one in `facts`; a run
   * whose first round may still be going on passes the one it watches arrive.
   */
  directorAddresses?: () => Promise<IpAddrResult | null>;
  /**
   * Resolves when more of the run's facts are recorded while the connections may be running
   * (the director's first round: its pings to the RIPs): the wire is read again then.
   */
  factsRecorded?: Promise<void>;
  /**
   * The RIPs the director was still resolving as the connections went, asked at each reading of
   * the wire (FirstRoundWatch.unresolvedRips; src/facts/rip-arp.ts, ripArpUnseen). Default: none,
   * its pings being over before the connections.
   */
  unresolvedRips?: () => ReadonlySet<string>;
  /**
   * Called while the first round of probes still runs (src/engine/before-connection.ts): each
   * capture starts once its host is connected, the connections once `connectWhen` resolves.
   * The hosts' statuses and the client's connect tools are read then, not now.
   */
  early?: EarlyStart;
}): Promise<TestConnectionFacts> {
  const { transport, topology, derived, hosts } = input;
  const opts = input.options ?? {};
  const timeoutS = opts.connectTimeoutS ?? 2;
  const connections = Math.max(1, opts.connections ?? Math.min(topology.realservers.length, 4));
  const many = topology.realservers.length > 16;
  // With many realservers the Q.1/Q.2 probes' packets (pings to every RIP, traceroutes) share
  // the wire with the test connection: filter on the flow's own addresses and allow more.
  const maxPackets = opts.maxPackets ?? (many ? Math.min(5_000, 200 + 20 * topology.realservers.length) : 200);
  // Every capture and trace outlives the longest wait for arming that the run may make.
  const boundMs = (timeoutS * 2 + 10) * 1000 + (input.early ? (opts.earlyAllowanceMs ?? EARLY_START_ALLOWANCE_MS) : 0) + (opts.traceDrops ? TRACE_ARM_TIMEOUT_MS - ARM_TIMEOUT_MS : 0);
  const { vip, vport } = topology.service;
  const ok = (name: string): boolean => hosts.get(name)?.status === 'reachable';
  const client = topology.client.name;
  const unusableClient = (): TestConnectionFacts => ({ captures: [], attempts: [], error: `the client ${client} cannot be used (${hosts.get(client)?.status}); no test connection was made` });
  if (!ok(client)) return unusableClient();
  // The flow's endpoints plus ICMP: a redirect is DIP -> RIP, an unreachable may come from anywhere.
  const addresses = [...new Set([vip, ...(derived.cip ? [derived.cip] : []), ...(many && derived.cip ? [] : topology.realservers.map((r) => r.rip))])];
  const filter = { hosts: addresses, icmp: true, ...(opts.leaveProbesOut ? { withoutProbes: true } : {}) };
  const spec = (host: string, iface: string): CaptureSpec => ({ host, iface, filter, maxPackets, boundMs });
  const plans: PlannedCapture[] = [];
  const d = topology.director.name;
  if (ok(d)) {
    if (derived.ext !== null && derived.ext === derived.int) plans.push({ place: 'director-one', spec: spec(d, derived.ext) });
    else if (derived.ext !== null && derived.int !== null && opts.directorSidesTogether) {
      // Both sides' packets in one capture: room for both. A tcpdump that cannot say which
      // interface a packet came by refuses the capture, and one on each side stands in.
      const together = plans.length;
      plans.push({ place: 'director-ext', spec: { ...spec(d, BOTH_SIDES_IFACE), maxPackets: 2 * maxPackets, interfaceIndexes: true }, sides: { ext: derived.ext, int: derived.int } });
      plans.push({ place: 'director-ext', spec: { ...spec(d, derived.ext), standbyFor: together } });
      plans.push({ place: 'director-int', spec: { ...spec(d, derived.int), standbyFor: together } });
    } else {
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

  const directorAddresses = input.directorAddresses ?? (async (): Promise<IpAddrResult | null> => input.facts.parsed(d, 'ip-addr') ?? null);
  // The director's interface names, for the live decision on its sides' capture (its `ip -o
  // addr` is a reading the first SYN waits for: see before-connection.ts).
  let directorNames: ReadonlyMap<number, string> | null = null;
  const sidesNames = plans.some((p) => p.sides) ? directorAddresses().then((addresses) => (directorNames = addresses === null ? null : interfaceNames(addresses)), () => null) : Promise.resolve(null);
  // Found with the first probes when the engine ran them; asked on the client otherwise.
  const toolFound = (): { tool?: ConnectTool | null } => {
    const found = input.facts.parsed(client, CONNECT_TOOLS_FACT);
    return found ? { tool: preferredConnectTool(found.available) } : {};
  };
  const early = input.early;
  // Asked once the wire needs them, and read again when they answer (`recheck`). Not with drop
  // traces: their match is strict (a receive, its route and the drop in order on one CPU), and
  // the retransmission gives them a second copy of a realserver's drop to match. In one run of
  // the real-IPVS suite the early decision left rs1's trace with none of the three first SYNs'
  // drops matched (43 other traced runs did match, 25 of them on the guest with the realserver
  // asked and every ring complete; the cause is not known), so a traced run keeps
  // waiting for the retransmission there.
  let recheck: () => void = () => undefined;
  const held = new HeldConnections(transport, () => recheck(), (host) => ok(host) && !opts.traceDrops, input.signal);
  input.factsRecorded?.then(() => recheck(), () => undefined);
  const run = await runCapturedConnections(transport, {
    client,
    vip,
    vport,
    captures: plans.map((p) => p.spec),
    traces: traces.map((t) => t.spec),
    ...(early ? { early: { hostUp: early.hostUp, connectWhen: early.connectWhen.then(() => (ok(client) ? toolFound() : null)) } } : toolFound()),
    connections,
    connectTimeoutS: timeoutS,
    decide: (live, synced, again, closedAfterEnd) => {
      // Unnamed, the director's sides would show none of the flow yet: nothing is decided.
      if (plans.some((p, i) => p.sides && live[i] && (directorNames === null || unnamedSide(directorNames, p.sides) !== null))) return { decided: false, selfEnding: connections, complete: false };
      recheck = again;
      // The director's pings to the RIPs may still run (factsRecorded reads the wire again once they are in; until then the ARP's own repeat decides,
      // and a RIP it was resolving keeps a SYN that was not forwarded undecided until its request is on the capture).
      // The director's strict rp_filter, which refuses the client's ARP, is in its first round (read by then in every lab run measured; otherwise the connections wait as before).
      const decision = decideFromWire(topology, plans.flatMap((p, i) => (live[i] ? livePlaces(p, live[i], directorNames, synced[i] ?? null) : [])), connections, {
        held: held.reading,
        closedAfterEnd,
        pingUnanswered: ripsPingUnanswered(input.facts, topology),
        ...(input.unresolvedRips ? { unresolvedRips: input.unresolvedRips() } : {}),
        clientArpRefusal: clientArpRefusal(input.facts, topology, derived.cip, derived.ext),
      });
      if (!decision.decided) held.ask(decision.questions);
      return decision;
    },
    ...(input.onArmed ? { onArmed: input.onArmed } : {}),
    ...(input.onConnectionsDone ? { onConnectionsDone: input.onConnectionsDone } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  // Started early, then the first round found the client unusable: as if it had been known.
  if (early && !ok(client)) return unusableClient();
  // A standby that was not needed proved nothing; a capture whose standbys ran is replaced by them.
  const replaced = new Set(plans.flatMap((p, i) => (p.spec.standbyFor !== undefined && !run.captures[i].unused ? [p.spec.standbyFor] : [])));
  const named = { director: await sidesNames, link: (host: string): ReadonlyMap<number, string> | null => {
    const link = input.facts.outcome(host, 'ip-link');
    return link?.ok ? interfaceIndexesFromIpLink(link.stdout) : null;
  } };
  const captures: CaptureFacts[] = (await Promise.all(plans.map((plan, i) => (run.captures[i].unused || replaced.has(i) ? [] : captureFacts(plan, run.captures[i], named))))).flat();
  const flow = derived.cip ? { cip: derived.cip, vip, rips: topology.realservers.map((r) => r.rip) } : null;
  const drops = traces.map((t, i) => readDropTrace(t, flow, run.traces[i]));
  return { captures, attempts: run.attempts, ...(traces.length > 0 ? { drops } : {}) };
}

/** What one planned capture proved: one capture's facts, or each side's of the director's `-i any`. */
async function captureFacts(plan: PlannedCapture, captured: CapturedRun, named: { director: ReadonlyMap<number, string> | null; link(host: string): ReadonlyMap<number, string> | null }): Promise<CaptureFacts[]> {
  const command = captureProbe(plan.spec).argv.join(' ');
  const { sides } = plan;
  const bases = sides
    ? [{ host: plan.spec.host, iface: sides.ext, place: 'director-ext' as const, command }, { host: plan.spec.host, iface: sides.int, place: 'director-int' as const, command }]
    : [{ host: plan.spec.host, iface: plan.spec.iface, place: plan.place, command }];
  const failed = (error: string): CaptureFacts[] => bases.map((b) => ({ ...b, packets: null, error }));
  const { result, error } = captured;
  if (!result) return failed(error ?? 'no capture');
  if (result.stdout.length < 24) return failed(lastLine(result.stderr) || `tcpdump wrote no capture (exit ${result.exitCode})`);
  let packets: Packet[];
  try {
    packets = (await decodePcap(result.stdout)).packets;
  } catch (err) {
    return failed((err as Error).message);
  }
  // The capture's losses are each side's: which side a lost packet was on is not known.
  const losses = captureLosses(result.stderr);
  if (!sides) {
    const names = plan.spec.iface === 'any' ? named.link(plan.spec.host) : null;
    return [{ ...bases[0], packets: names ? mapInterfaceIndexes(packets, names) : packets, ...losses }];
  }
  const names = named.director;
  const unnamed = names === null ? null : unnamedSide(names, sides);
  if (names === null || unnamed !== null) {
    return failed(`the director's \`ip -o addr\` ${unnamed ? `has no ${unnamed}` : 'could not be read'}: its -i any capture cannot be told apart by interface`);
  }
  const split = splitDirectorSides(packets, names, sides);
  return [{ ...bases[0], packets: split.ext, ...losses }, { ...bases[1], packets: split.int, ...losses }];
}

/** The places a planned capture's live packets count at (its sides split by interface, once named), with what of them is known whole (`synced`). */
function livePlaces(plan: PlannedCapture, packets: readonly Packet[], directorNames: ReadonlyMap<number, string> | null, synced: number | null): LiveCapture[] {
  if (!plan.sides) return [{ host: plan.spec.host, place: plan.place, packets, ...(synced !== null ? { synced } : {}) }];
  const names = directorNames ?? new Map();
  const split = splitDirectorSides(packets, names, plan.sides);
  const known = synced === null ? null : splitDirectorSides(packets.slice(0, synced), names, plan.sides);
  return [
    { host: plan.spec.host, place: 'director-ext', packets: split.ext, ...(known ? { synced: known.ext.length } : {}) },
    { host: plan.spec.host, place: 'director-int', packets: split.int, ...(known ? { synced: known.int.length } : {}) },
  ];
}

export interface CapturedConnectionsPlan {
  client: string;
  vip: string;
  vport: number;
  captures: StandingCapture[];
  /** --trace-drops: kernel drop traces armed and stopped with the captures. */
  traces?: DropTraceSpec[];
  /** How long the connections wait for every capture and trace to arm (default: 8 s, 20 s with traces; tests shorten it). */
  armWithinMs?: number;
  /** The client's connect tool; null: it has none; absent: ask the client. */
  tool?: ConnectTool | null;
  connections: number;
  connectTimeoutS: number;
  /** Called once every capture listens (or could not), before the connections (which may then wait for `early`'s gate). */
  onArmed?: () => void;
  /** Called once the connections are over, before the captures settle and stop. */
  onConnectionsDone?: () => void;
  /** Aborted: every capture stops now, no connection starts, the ones running are stopped. */
  signal?: AbortSignal;
  /** Started early: see EarlyCaptures. */
  early?: EarlyCaptures;
  /**
   * Reads the captures so far (index-aligned with `captures`; null: not listening before the
   * connections; `again`: reads them again, for an answer that came from elsewhere than the
   * captures; `closedAfterEnd`: a round of questions asked once every connection had ended has
   * closed, see decideFromWire) and says whether the connections are decided: the ones still waiting are
   * then stopped, and the captures settle for SETTLE_DECIDED_MS (SETTLE_SILENT_MS when every
   * connection went unanswered) instead of SETTLE_FAILED_MS.
   */
  decide?: (packets: readonly (readonly Packet[] | null)[], synced: readonly (number | null)[], again: () => void, closedAfterEnd: boolean) => Pick<WireDecision, 'decided' | 'selfEnding' | 'complete'> & Partial<Pick<WireDecision, 'silent'>>;
}

/**
 * How the engine starts the test connection while its first round of probes runs
 * (src/engine/before-connection.ts). `connectWhen` resolves once every reading that must precede
 * the first SYN is in; as runCapturedConnections takes it (EarlyCaptures), with the client's
 * connect tool (absent: ask the client), or null: no connection.
 */
export interface EarlyStart<Go = void> {
  /** Resolves once `host` is connected: true, its capture starts; false, it has none. */
  hostUp(host: string): Promise<boolean>;
  connectWhen: Promise<Go>;
}

export type EarlyCaptures = EarlyStart<{ tool?: ConnectTool | null } | null>;

/** One capture as it ended: the tcpdump run (its stdout is the pcap), or why it proves nothing. */
export interface CapturedRun {
  spec: CaptureSpec;
  result: RunResult | null;
  error?: string;
  /** A standby never started: the capture it stood in for listened. */
  unused?: true;
}

/**
 * Arms every capture, makes the connections once each tcpdump listens, lets late packets
 * land, stops the captures. One broken capture or connection never sinks the others.
 */
export async function runCapturedConnections(transport: Transport, plan: CapturedConnectionsPlan): Promise<{ captures: CapturedRun[]; attempts: ConnectionAttempt[]; traces: { result: RunResult | null; error?: string }[] }> {
  const { client, vip, vport } = plan;
  const { signal } = plan;
  // Read while they run, once the connections are made: the wire may decide them before the
  // client's tool gives up (see src/facts/wire-decision.ts).
  const wire = new WireWatch(plan);
  const running: (RunningCapture | Error)[] = [];
  plan.captures.forEach((spec, i) => {
    const start = (): RunningCapture =>
      startCapture(transport, spec, signal, plan.decide ? (chunk) => wire.live[i].push(chunk) : undefined, plan.decide ? (counters) => wire.counted(i, counters) : undefined);
    const up = plan.early ? plan.early.hostUp(spec.host) : null;
    if (spec.standbyFor !== undefined) {
      running.push(startWhenUp(spec, standbyNeeded(running[spec.standbyFor], up), start, signal));
      return;
    }
    if (up) {
      running.push(startWhenUp(spec, up, start, signal));
      return;
    }
    try {
      running.push(start());
    } catch (err) {
      running.push(err as Error);
    }
  });
  const traces: RunningDropTrace[] = (plan.traces ?? []).map((spec) => startDropTrace(transport, spec, signal));
  // Whatever happens below (a callback that throws included), no capture outlives this call.
  try {
    // Which captures were listening before the first SYN: one that was not would report the
    // test connection's packets as missing when it simply started too late.
    const listening = running.map(() => false);
    // Started early, one could also have ended by itself (its -c bound) before the first SYN;
    // a capture the doctor stopped (every recorded one) did not.
    const ended = running.map(() => false);
    // Why one ended without listening (tcpdump's own last word), as soon as it has.
    const unarmed: (string | null)[] = running.map(() => null);
    running.forEach((r, i) => {
      if (r instanceof Error) return;
      r.armed.then(() => (listening[i] = true), (err: unknown) => (unarmed[i] = err instanceof NotStarted ? null : (err as Error).message));
      r.done.then((result) => (ended[i] = result.stopped !== true), () => undefined);
    });
    // Likewise a drop trace not yet recording at the first SYN would say "no drop" for a drop it
    // never saw: only one that recorded before the connections proves anything.
    const tracing = traces.map(() => false);
    traces.forEach((t, i) => t.armed.then(() => (tracing[i] = true), () => undefined));
    // Started early, a capture may wait for its host's connection: the bound on arming counts
    // from the moment the connections may go.
    const gate = plan.early?.connectWhen;
    const armWithinMs = plan.armWithinMs ?? (traces.length > 0 ? TRACE_ARM_TIMEOUT_MS : ARM_TIMEOUT_MS);
    await Promise.race([
      Promise.all([...running, ...traces].map((r) => (r instanceof Error ? Promise.resolve() : r.armed.catch(() => undefined)))),
      gate ? gate.then(() => sleep(armWithinMs, true), () => undefined) : sleep(armWithinMs, true),
      ...(signal ? [aborted(signal)] : []),
    ]);
    plan.onArmed?.();
    // What must precede the first SYN (src/engine/before-connection.ts).
    const go = gate ? await Promise.race([gate, ...(signal ? [aborted(signal).then(() => null)] : [])]) : {};
    const listeningAtConnect = listening.map((l, i) => l && !ended[i]);
    const tracingAtConnect = [...tracing];
    const endedEarly = [...ended];
    // What is not recording at the first SYN proves nothing: stopped now, it frees its host,
    // and its recording ends unarmed, so that a replay judges it as this run does.
    for (const [i, r] of running.entries()) if (!(r instanceof Error) && !listeningAtConnect[i] && !ended[i]) r.stop();
    for (const [i, t] of traces.entries()) if (!tracingAtConnect[i]) t.stop();

    let tool: ConnectTool | null;
    const chosen = gate ? go?.tool : plan.tool;
    try {
      tool = go === null ? null : chosen !== undefined ? chosen : await detectConnectTool(transport, client);
    } catch {
      tool = null;
    }
    wire.watch(listeningAtConnect, running.map((r) => (r instanceof Error ? null : r)));
    const connectSignal = signal ? AbortSignal.any([signal, wire.signal]) : wire.signal;
    const attempts: ConnectionAttempt[] = signal?.aborted || go === null
      ? []
      : tool
      ? await Promise.all(connectAll(transport, client, tool, vip, vport, plan.connectTimeoutS, plan.connections, connectSignal).map((a) => a.finally(() => wire.connectionEnded())))
      : [{ host: client, command: 'command -v curl bash socat nc', output: 'none of curl, bash, socat, nc on the client', exitCode: -1, ok: false, durationMs: 0 }];
    plan.onConnectionsDone?.();
    // A connection that worked has crossed every hop by the time the client has its answer; one
    // that failed may still draw a retransmission, a RST or an ICMP error: give those time to
    // land, less once the wire has decided (every capture on the path has caught up with the answer).
    // Where every capture on each path already shows the client's end of its flow, they hold
    // all the flow put on them before: the captures end at once (see WireDecision.complete).
    if (!signal?.aborted) {
      // The bound that loses the race is cleared: left pending, it would hold the process
      // open that long after the run has its answer.
      const settled = new AbortController();
      try {
        if (attempts.every((a) => a.ok)) await within(SETTLE_OK_MS, wire.complete, settled.signal);
        else await within(SETTLE_FAILED_MS, wire.decided.then(() => within(wire.settleMs, wire.complete, settled.signal)), settled.signal);
      } finally {
        settled.abort();
      }
    }
    wire.close();
    for (const r of [...running, ...traces]) if (!(r instanceof Error)) r.stop();

    const traced = await Promise.all(
      traces.map(async (t, i) => {
        const ran: { result: RunResult | null; error?: string } = await t.done.then(
          (result) => ({ result }),
          (err: Error) => ({ result: null, error: err instanceof TransportError ? `${err.kind}: ${err.message}` : err.message }),
        );
        if (tracingAtConnect[i] || !ran.result) return ran;
        // Stopped before it armed (at the connections, here or in the recorded run), or armed
        // in the race with that stop: its trace is no proof of "no drop".
        if (tracing[i] || ran.result.stopped === true) return { result: null, error: `the drop trace was not recording within ${armWithinMs / 1000} s, before the test connection: it proves nothing` };
        return { result: null, error: traceFailure(ran.result) };
      }),
    );
    const captures = await Promise.all(
      running.map(async (r, i): Promise<CapturedRun> => {
        const spec = plan.captures[i];
        if (r instanceof Error) return { spec, result: null, error: r.message };
        if (!listeningAtConnect[i]) {
          const failed = await r.done.then(() => null, (err: unknown) => err);
          if (failed instanceof NotNeeded) return { spec, result: null, unused: true };
          // Never started (its host did not connect, or the run stopped first): say that, not a late arming.
          if (failed instanceof NotStarted) return { spec, result: null, error: failed.message };
          if (endedEarly[i] && listening[i]) return { spec, result: null, error: 'tcpdump ended before the test connection: its capture proves nothing' };
          const late = `tcpdump was not listening within ${armWithinMs / 1000} s, before the test connection: its capture proves nothing`;
          // Stopped unarmed at the connections (this run, or the recorded one a replay serves).
          if (failed === null && (await r.done).stopped === true) return { spec, result: null, error: late };
          if (unarmed[i] !== null) return { spec, result: null, error: unarmed[i]! };
          return { spec, result: null, error: late };
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
    wire.close();
    for (const r of [...running, ...traces]) if (!(r instanceof Error)) r.stop();
  }
}

/** Why an early capture was never started. */
class NotStarted extends Error {}

/** Why a standby capture was never started: the one it stood in for listened. */
class NotNeeded extends NotStarted {}

/**
 * Whether a standby starts: once the capture it stands in for has ended before it listened
 * (not when that one never started: its host is down, or the run stopped). A standby that is
 * not needed is stopped with NotNeeded.
 */
async function standbyNeeded(primary: RunningCapture | Error | undefined, hostUp: Promise<boolean> | null): Promise<boolean> {
  if (primary === undefined) throw new Error('a standby capture names no capture before it');
  if (!(primary instanceof Error)) {
    const failed = await primary.armed.then(() => null, (err: unknown) => err);
    if (failed === null) throw new NotNeeded('not needed: the capture it stood in for listened');
    if (failed instanceof NotStarted) return false;
  }
  return hostUp ? hostUp : true;
}

/** A capture that starts once its host is connected (false: never); stopped before, it never starts. */
function startWhenUp(spec: CaptureSpec, up: Promise<boolean>, start: () => RunningCapture, signal?: AbortSignal): RunningCapture {
  let started: RunningCapture | null = null;
  let stopped = false;
  const begun = up.then((isUp) => {
    if (!isUp) throw new NotStarted(`${spec.host} is not connected: no capture was started there`);
    if (stopped || signal?.aborted) throw new NotStarted('stopped before it started');
    started = start();
    return started;
  });
  const armed = begun.then((r) => r.armed);
  const done = begun.then((r) => r.done);
  armed.catch(() => undefined);
  done.catch(() => undefined);
  return {
    spec,
    armed,
    done,
    stop: () => {
      stopped = true;
      started?.stop();
    },
    askCounters: () => started?.askCounters?.() ?? false,
  };
}

/**
 * The parallel connections, started together (one session where the transport can: each is
 * still its own run, with its own exit, output and time, and its own entry in a bundle).
 */
function connectAll(transport: Transport, client: string, tool: ConnectTool, vip: string, vport: number, timeoutS: number, count: number, signal?: AbortSignal): Promise<ConnectionAttempt>[] {
  const probe = connectionProbe(tool, vip, vport, timeoutS);
  const started = performance.now();
  // Stopped by closing their stdin, as a capture is: no process started to stop them.
  const runs = answersOrThrown(count, () => transport.runTogether(client, Array.from({ length: count }, () => probe.argv), { timeoutMs: probe.timeoutMs, endsOnStdinClose: true, ...(signal ? { signal } : {}) }));
  return runs.map((run) => attemptOf(run, client, tool, probe.argv.join(' '), started, signal));
}

async function attemptOf(run: Promise<RunResult>, client: string, tool: ConnectTool, command: string, started: number, signal?: AbortSignal): Promise<ConnectionAttempt> {
  try {
    const r = await run;
    if (r.stopped) {
      const output = signal?.reason === WIRE_DECIDED ? 'stopped before its timeout: the captures had decided it (its answer came from a realserver\'s own address, or nothing came back: its SYN went no further than the director\'s ext, the realserver it reached kept no connection of it, or not even a second after it sent its SYN again; or it could send none, the director refusing its ARP)' : 'stopped before it ended by itself (the run was stopped, or, replayed, the recorded run had decided it from the wire)';
      return { host: client, command, output, exitCode: r.exitCode, ok: false, durationMs: Math.round(performance.now() - started) };
    }
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

/** Resolves once `until` does or `ms` have passed; aborting `cancel` clears the timer. */
function within(ms: number, until: Promise<unknown>, cancel: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    const done = (): void => {
      clearTimeout(t);
      resolve();
    };
    cancel.addEventListener('abort', () => clearTimeout(t), { once: true });
    until.then(done, done);
  });
}

/** `weak`: a bound that must not keep the process alive on its own. */
function sleep(ms: number, weak = false): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (weak) t.unref();
  });
}

/**
 * What tcpdump's exit counters say it lost: dropped by the kernel, or taken in and not written
 * (absent: none, or no counters printed). Less what it had counted when it was armed, before
 * the test connection: libpcap counts as received the packets that came between opening its
 * socket and setting its filter, then rejects them in userland, so a capture started amid
 * traffic its filter refuses reports packets "received" it never had to write. A packet still
 * unwritten at that moment and written later lowers the end's count too: a loss of as many at
 * the end would go unseen, which needs tcpdump to lag at both ends of one run.
 */
export function captureLosses(stderr: string): Pick<CaptureFacts, 'unread' | 'dropped'> {
  const c = readCaptureBanners(stderr);
  const before = readRequestedCounters(stderr);
  const droppedAtEnd = c.droppedByKernel ?? 0;
  const dropped = Math.max(0, droppedAtEnd - (before?.droppedByKernel ?? 0));
  // Linux counts the kernel's drops among the packets received by the filter.
  const unreadBefore = before ? Math.max(0, before.receivedByFilter - before.captured - before.droppedByKernel) : 0;
  const unread = c.captured === null || c.receivedByFilter === null ? 0 : Math.max(0, c.receivedByFilter - c.captured - droppedAtEnd - unreadBefore);
  return { ...(unread > 0 ? { unread } : {}), ...(dropped > 0 ? { dropped } : {}) };
}
