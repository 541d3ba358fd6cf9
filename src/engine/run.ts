// The engine: plans probes from the checks, runs them on every host in parallel (through
// whatever transport it is given), runs the test connection, evaluates the graph, and yields
// events. It never prints.
import type { CheckResult } from '../model/check.js';
import type { Hop } from '../model/hops.js';
import type { RunEvent } from '../model/events.js';
import type { HostStatus, ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { allHosts, canonicalTopology } from '../model/topology.js';
import { defaultParse, runProbes } from '../probes/runner.js';
import type { ProbeCommand } from '../probes/probe.js';
import type { UnameResult } from '../probes/own-parsers.js';
import { Pool } from '../transport/pool.js';
import type { Transport } from '../transport/transport.js';
import type { CheckDefinition } from './check-definition.js';
import { deriveParams } from '../facts/derive.js';
import { evaluateCheck } from './evaluate.js';
import { Facts } from '../facts/facts.js';
import { validateGraph } from './graph.js';
import { analyzeHops, worstConnection } from '../facts/hop-analysis.js';
import { ripsPingUnanswered } from '../facts/readers.js';
import { PROBE_CATALOG, type DerivedParams, type ProbeName } from './probe-catalog.js';
import { recordedBothSides } from './director-sides.js';
import { capturesLeaveProbesOut, COUNTS_PROBES_PACKETS, mayRunAlongside, probesDrawNoRedirect, recordedLeavingProbesOut, TOWARDS_CLIENT, towardsClientAlongside } from './probes-alongside.js';
import { FirstRoundWatch, orderForConnection } from './before-connection.js';
import type { TestConnectionFacts } from '../facts/test-connection-facts.js';
import type { ProbeOutcome } from '../probes/runner.js';
import { planPhase, probesNeeded, supplementaryProbes, type Phase, type ProbeJob } from './probe-plan.js';
import { buildResult } from './result.js';
import { connectionTableDigest } from '../facts/connection-table.js';
import { EARLY_START_ALLOWANCE_MS, runTestConnectionPhase, type TestConnectionOptions } from './test-connection.js';
import { RunStop } from './stop-early.js';
import { dropTracesOf, withDropEvidence } from './drop-evidence.js';
import { deferred } from '../util/deferred.js';

export interface DiagnosisOptions {
  transport: Transport;
  topology: Topology;
  checks: readonly CheckDefinition[];
  mode?: 'live' | 'replay';
  testConnection?: TestConnectionOptions;
  /** Concurrency: per host (below sshd's MaxSessions) and overall. */
  perHostLimit?: number;
  globalLimit?: number;
  now?: () => Date;
  /** Aborted: the run stops its probes and captures and reports what it has (see stop-early.ts). */
  signal?: AbortSignal;
  /** The run's own bound: past it, it stops as on a signal (--deadline). */
  deadlineMs?: number;
}

/** Runs one diagnosis; yields events and returns the result document (also sent as run-end). */
export async function* runDiagnosis(options: DiagnosisOptions): AsyncGenerator<RunEvent, ResultDocument> {
  const queue = new EventQueue();
  const work = diagnose(options, (e) => queue.push(e)).finally(() => queue.close());
  for await (const event of queue) yield event;
  return work;
}

/** What one run's steps share. */
interface RunState {
  transport: Transport;
  topology: Topology;
  hosts: Map<string, HostStatus>;
  facts: Facts;
  /** One pool for the whole run: the phases that overlap (second, after) share its bounds. */
  pool: Pool;
  /** Which probes each host needs, from what the checks declare. */
  needed: Map<string, Set<ProbeName>>;
  /** Probes that checks read only when present (see ProbeNeed.supplementary). */
  supplementary: Set<string>;
  /** Each reachable host's connection, opening (see openConnections). */
  connecting: Map<string, Promise<void>>;
  emit: (e: RunEvent) => void;
  /** A signal or the deadline: probes, captures and connections listen to it. */
  stop: RunStop;
}


async function diagnose(options: DiagnosisOptions, emitEvent: (e: RunEvent) => void): Promise<ResultDocument> {
  const t0 = performance.now();
  const stop = new RunStop(options.signal, options.deadlineMs, () => performance.now() - t0);
  // Work cut short by a stop goes on in the background until its own stop lands: nothing it
  // says after the report may reach the caller.
  let reported = false;
  const emit = (e: RunEvent): void => {
    if (!reported) emitEvent(e);
  };
  try {
    return await diagnoseUntilStopped(options, stop, emit, t0);
  } finally {
    reported = true;
    stop.dispose();
  }
}

async function diagnoseUntilStopped(options: DiagnosisOptions, stop: RunStop, emit: (e: RunEvent) => void, t0: number): Promise<ResultDocument> {
  const topology = canonicalTopology(options.topology);
  const startedAt = (options.now ?? (() => new Date()))();
  const order = validateGraph(options.checks);
  announce(topology, order, startedAt, emit);
  const hosts = initialHostStatuses(topology);
  const state: RunState = {
    transport: options.transport,
    topology,
    hosts,
    facts: new Facts(topology, hosts),
    pool: new Pool({ perHost: options.perHostLimit ?? 8, global: options.globalLimit ?? 32 }),
    needed: probesNeeded(topology, order),
    supplementary: supplementaryProbes(order),
    connecting: new Map(),
    emit,
    stop,
  };
  emit({ type: 'phase', phase: 'probes', detail: 'connecting' });
  openConnections(state);
  const hops = (await stop.until(probeAndConnect(state, options.testConnection, options.mode ?? 'live'))) ?? hopsSoFar(state);
  emit({ type: 'phase', phase: 'checks' });
  const done = evaluateChecks(state, order);
  // --trace-drops: the kernel's drop reasons join the evidence of the diagnoses they prove.
  const traced = withDropEvidence(order.map((c) => done.get(c.id)!), state.facts.testConnection?.drops);
  const built = buildResult({
    topology,
    checks: traced.checks,
    hops,
    // Copies: work a stop cut short may still change the live ones.
    hosts: [...hosts.values()].map((h) => ({ ...h })),
    startedAt,
    durationMs: performance.now() - t0,
    mode: options.mode ?? 'live',
    connectionTable: connectionTableDigest(topology, state.facts),
    probeFailures: state.facts.all().flatMap((o) => (o.ok ? [] : [{ host: o.host, command: o.command, failure: o.failure, message: o.message }])),
    ...(stop.reason ? { interrupted: stop.reason } : {}),
  });
  const dropTraces = dropTracesOf(state.facts.testConnection?.drops);
  const notes = [...(built.notes ?? []), ...traced.notes];
  const result: ResultDocument = { ...built, ...(notes.length > 0 ? { notes } : {}), ...(dropTraces ? { dropTraces } : {}) };
  emit({ type: 'run-end', result });
  return result;
}

function announce(topology: Topology, order: readonly CheckDefinition[], startedAt: Date, emit: (e: RunEvent) => void): void {
  emit({
    type: 'run-start',
    at: startedAt.toISOString(),
    service: { protocol: topology.service.protocol, vip: topology.service.vip, vport: topology.service.vport },
    hosts: allHosts(topology).map((h) => ({ name: h.name, role: h.role, access: h.access })),
    checks: order.map((c) => ({ id: c.id, question: c.question, title: c.title, needs: c.needs })),
  });
}

/** What the inventory alone says of each host: off-limits, not Linux, or (until a probe says otherwise) reachable. */
function initialHostStatuses(topology: Topology): Map<string, HostStatus> {
  const hosts = new Map<string, HostStatus>();
  for (const h of allHosts(topology)) {
    hosts.set(h.name, {
      name: h.name,
      role: h.role,
      access: h.access,
      status: h.access === 'none' ? 'off-limits' : h.os && !/linux/i.test(h.os) ? 'not-linux' : 'reachable',
      ...(h.access === 'none' ? { reason: 'marked off-limits: checks use the director\'s view' } : {}),
      probesRun: 0,
    });
  }
  return hosts;
}

/**
 * Every connection opens at once (one handshake per host), and each host's first probes go
 * as soon as its own is up: a host that spends its whole connect timeout failing delays
 * nobody else's probes.
 */
function openConnections(state: RunState): void {
  const { transport, topology, hosts } = state;
  const connect = async (name: string): Promise<void> => {
    let reason: string | null = null;
    try {
      const error = transport.prepare ? (await transport.prepare([name])).get(name) : null;
      if (error) reason = `${error.kind}: ${error.message}`;
    } catch (err) {
      // A transport that throws instead of answering loses this host, not the run.
      reason = `internal: ${(err as Error).message}`;
    }
    if (reason) Object.assign(hosts.get(name)!, { status: 'unreachable', reason });
  };
  for (const h of allHosts(topology).filter((x) => hosts.get(x.name)!.status === 'reachable')) {
    state.connecting.set(h.name, connect(h.name));
  }
}

/**
 * The probes around the test connection, in their order; returns the worst connection's hops.
 * When the inventory already says the client's address and the director's interfaces and DIP,
 * the Q.1/Q.2 probes need nothing from the first round: they go out in the same batch on each
 * host (one batch fewer per realserver). The realservers' probes towards the client (their
 * ping and traceroute, 1-2.3 s when the client does not answer) then run alongside the
 * captures and the test connection when nothing of theirs can reach what the captures show
 * (src/engine/probes-alongside.ts); every other Q.1/Q.2 probe is over before the captures.
 */
async function probeAndConnect(state: RunState, requested: TestConnectionOptions | undefined, mode: 'live' | 'replay'): Promise<Hop[]> {
  const { transport, topology, facts, hosts, emit } = state;
  const known = deriveParams(topology, facts);
  const secondWithFirst = known.cip !== null && known.ext !== null && known.int !== null && known.dip !== null;
  // Live runs leave the probes out of the captures; a recording served again (a replay, or a
  // recorded session replayed through a live command), as its captures did.
  const wanted = requested?.leaveProbesOut ?? (transport.recordedWith ? recordedLeavingProbesOut({ recordedWith: (w) => transport.recordedWith!(w) }) : mode === 'live');
  // Live runs capture the director's sides together; a recording is asked for what it holds.
  const together = requested?.directorSidesTogether ?? (transport.recordedWith ? recordedBothSides({ recordedWith: (w, h) => transport.recordedWith!(w, h) }, topology.director.name) : mode === 'live');
  const testConnectionOptions: TestConnectionOptions = { ...requested, directorSidesTogether: together };
  // Whether the realservers' probes towards the client may wait for the first round's word on redirects.
  const tracingDrops = testConnectionOptions?.traceDrops === true;
  const mayDefer = mayRunAlongside(topology, capturesLeaveProbesOut(topology, known, wanted), tracingDrops);
  const notTowardsClient = secondWithFirst && mayDefer ? (name: string) => !TOWARDS_CLIENT.has(name as ProbeName) : undefined;
  // Everything the captures need is known now: they start with the first probes.
  if (notTowardsClient && testConnectionOptions?.earlyCaptures !== false) return probeWhileCapturing(state, testConnectionOptions, known, capturesLeaveProbesOut(topology, known, wanted));
  await runPhase(state, 'first', known, secondWithFirst, notTowardsClient);
  // Stopped meanwhile: the report is being made already, nothing more is started.
  if (state.stop.aborted) return [];
  const derived = deriveParams(topology, facts);
  facts.derived = derived;
  const leftOut = capturesLeaveProbesOut(topology, derived, wanted);
  const alongside = towardsClientAlongside(topology, facts, derived, leftOut, tracingDrops);
  // The second-phase probes not run yet: those before the captures, and those alongside them.
  const towardsClient = (name: string): boolean => TOWARDS_CLIENT.has(name as ProbeName);
  const pending = secondWithFirst ? (notTowardsClient ? towardsClient : null) : () => true;
  const before = pending === null ? null : alongside ? (name: string) => pending(name) && !towardsClient(name) : pending;
  const during = pending !== null && alongside ? (name: string) => pending(name) && towardsClient(name) : null;
  if (before) await runPhase(state, 'second', derived, false, before);
  if (state.stop.aborted) return [];
  emit({ type: 'phase', phase: 'test-connection' });
  // The probes alongside start once the captures listen (started together, they slow the
  // arming the connections wait for). The after-probes (connection table, counters) read
  // the state the connections left: they start once the connections and those probes are
  // over, while the captures settle.
  const armed = deferred();
  const connected = deferred();
  const second = during ? armed.promise.then(() => runPhase(state, 'second', derived, false, during)) : Promise.resolve();
  const after = Promise.all([second, connected.promise]).then(() => {
    emit({ type: 'phase', phase: 'after' });
    return runPhase(state, 'after', derived);
  });
  // Awaited below; marked handled now so that a failure elsewhere cannot leave it unobserved.
  after.catch(() => undefined);
  const testConnection = await runTestConnectionPhase({ transport, topology, facts, derived, hosts, options: { ...testConnectionOptions, leaveProbesOut: leftOut }, onArmed: () => armed.resolve(), onConnectionsDone: () => connected.resolve(), signal: state.stop.signal });
  // A test connection phase that ended early (no client) never called back.
  armed.resolve();
  connected.resolve();
  await second;
  // Captures cut short by a stop prove nothing about the packets they did not see.
  if (state.stop.aborted) return [];
  const hops = analyze(state, testConnection);
  await after;
  return hops;
}

/** The test connection's facts and hops, recorded and announced. */
function analyze(state: RunState, testConnection: TestConnectionFacts): Hop[] {
  state.facts.testConnection = testConnection;
  const analysis = analyzeHops(state.topology, testConnection, ripsPingUnanswered(state.facts, state.topology));
  state.facts.hopAnalysis = analysis;
  const hops = worstConnection(analysis)?.hops ?? [];
  state.emit({ type: 'hops', hops });
  return hops;
}

/**
 * The inventory names CIP, the director's interfaces and DIP, and the captures leave the
 * probes out: the captures start with the first probes, each once its host is connected, and
 * the connections once every capture listens and every first-round reading that must precede
 * the first SYN is in (src/engine/before-connection.ts). The director's batch runs what the
 * SYN waits for first, its pings to the RIPs beside it from the start; the rest of it runs
 * beside the connection, the pings included.
 * The realservers' Q.1/Q.2 probes are in their first batch, their ping and traceroute towards
 * the client beside the reads; when the director's readings say it may answer those with a
 * redirect, the SYN waits for the whole first round, so they are over before it. A first round
 * that outlasts EARLY_START_ALLOWANCE_MS gives the early captures up
 * (their bound on the host would not cover the connection): new ones are armed after it.
 */
async function probeWhileCapturing(state: RunState, testConnectionOptions: TestConnectionOptions | undefined, known: DerivedParams, leftOut: boolean): Promise<Hop[]> {
  const { transport, topology, facts, hosts, emit, stop } = state;
  const tracingDrops = testConnectionOptions?.traceDrops === true;
  const director = topology.director.name;
  const client = topology.client.name;
  const watch = new FirstRoundWatch(topology, hosts, director, client);
  // The realservers' probes towards the client go in their first batch, their ping and
  // traceroute beside its reads (on a broken path their second passes while the rest runs).
  const firstRound = runPhase(state, 'first', known, true, undefined, watch).then(() => {
    facts.derived = deriveParams(topology, facts);
  });
  // Whether the realservers' probes towards the client may run on beside the connection, as
  // soon as the director's readings decide it (its sysctls say whether it sends redirects at all).
  const alongside = (async (): Promise<boolean> => {
    await watch.readingsIn(director);
    if (probesDrawNoRedirect(topology, watch.seen, known)) return true;
    await watch.roundEnded(director);
    return towardsClientAlongside(topology, facts, known, leftOut, tracingDrops);
  })();
  const allIn = Promise.all(allHosts(topology).map((h) => watch.readingsIn(h.name)));
  const connectWhen = (async (): Promise<void> => {
    await Promise.all([allIn, watch.roundEnded(client)]);
    // A director that may answer them with a redirect: the first SYN waits for them to be over.
    if (!(await alongside)) await firstRound;
  })();
  // A capture's ssh starts after its host's first batch has been handed over (two turns of the
  // event loop: the transport gathers a host's quick reads in one, spawns their shell at its
  // end): the doctor forks one process at a time, and the batch is what the SYN waits for.
  const hostUp = async (host: string): Promise<boolean> => {
    await state.connecting.get(host);
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    return hosts.get(host)?.status === 'reachable';
  };
  const armed = deferred();
  const connected = deferred();
  // The director's connection table and IPVS counters read what the connections left once they
  // and its own first round are over. A reading that counts packets the realservers' probes may
  // add (the MARK rules', nstat) waits for those too, so that their packets are in both of its
  // readings or in neither: on a broken path their second outlasts the connections.
  const countsProbes = (name: string): boolean => COUNTS_PROBES_PACKETS.has(name as ProbeName);
  const tables = Promise.all([watch.roundEnded(director), connected.promise]).then(() => {
    emit({ type: 'phase', phase: 'after' });
    return runPhase(state, 'after', known, false, (name) => !countsProbes(name));
  });
  const after = Promise.all([firstRound, tables]).then(() => runPhase(state, 'after', known, false, countsProbes));
  after.catch(() => undefined);
  // Given up past the allowance; the run's own stop stops them too.
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), testConnectionOptions?.earlyAllowanceMs ?? EARLY_START_ALLOWANCE_MS);
  timer.unref();
  connectWhen.finally(() => clearTimeout(timer)).catch(() => undefined);
  const phase = (early: boolean): Promise<TestConnectionFacts> =>
    runTestConnectionPhase({
      transport,
      topology,
      facts,
      derived: known,
      hosts,
      options: { ...testConnectionOptions, leaveProbesOut: leftOut },
      // The first round may still run: the director's addresses (they name its interfaces' indexes) as they arrive.
      directorAddresses: async () => {
        await watch.readingsIn(director);
        return watch.seen.parsed(director, 'ip-addr') ?? facts.parsed(director, 'ip-addr') ?? null;
      },
      // The director's pings to the RIPs, which the SYN does not wait for, decide a SYN held in ARP (src/facts/rip-arp.ts).
      factsRecorded: watch.roundEnded(director),
      unresolvedRips: () => watch.unresolvedRips(),
      onArmed: () => armed.resolve(),
      // Given up, the early captures made no connection: the after-probes wait for the real one.
      onConnectionsDone: () => (early && giveUp.signal.aborted ? undefined : connected.resolve()),
      signal: early ? AbortSignal.any([stop.signal, giveUp.signal]) : stop.signal,
      ...(early ? { early: { hostUp, connectWhen } } : {}),
    });
  emit({ type: 'phase', phase: 'test-connection', detail: 'captures start with the first probes' });
  void Promise.all([armed.promise, connectWhen]).then(() => (giveUp.signal.aborted || stop.aborted ? undefined : emit({ type: 'phase', phase: 'test-connection', detail: 'connecting' })), () => undefined);
  let testConnection = await phase(true);
  await firstRound;
  if (giveUp.signal.aborted && !stop.aborted) {
    await connectWhen;
    if (!stop.aborted) testConnection = await phase(false);
  }
  armed.resolve();
  connected.resolve();
  if (stop.aborted) return [];
  // A host the first round found unusable has no capture, as if it had been known before.
  const usable = testConnection.captures.filter((c) => hosts.get(c.host)?.status === 'reachable');
  const hops = analyze(state, usable.length === testConnection.captures.length ? testConnection : { ...testConnection, captures: usable });
  await after;
  return hops;
}

/** A stopped run's hops: from its test connection if it was over, else none captured. */
function hopsSoFar(state: RunState): Hop[] {
  const { facts } = state;
  if (!facts.testConnection || !facts.hopAnalysis) {
    facts.testConnection = { captures: [], attempts: [], error: state.stop.reason?.message ?? 'no test connection was made' };
    facts.hopAnalysis = analyzeHops(state.topology, facts.testConnection, ripsPingUnanswered(facts, state.topology));
  }
  const hops = worstConnection(facts.hopAnalysis)?.hops ?? [];
  state.emit({ type: 'hops', hops });
  return hops;
}

/**
 * Runs one phase's probes; the first phase runs per host once its connection is up, then
 * classifies the hosts. `only`: of the catalog's probes, just those it keeps.
 */
async function runPhase(state: RunState, phase: Phase, derived: DerivedParams, alsoSecond = false, only?: (probe: string) => boolean, watch?: FirstRoundWatch): Promise<void> {
  const plan = planPhase(state.topology, state.needed, phase, derived, alsoSecond);
  const jobs = only ? plan.jobs.filter((j) => !(j.name in PROBE_CATALOG) || only(j.name)) : plan.jobs;
  const invalid = only ? plan.invalid.filter((f) => only(f.probe)) : plan.invalid;
  for (const f of invalid) state.facts.record({ ok: false, ...f, command: f.probe, failure: 'validation' });
  if (phase !== 'first') return runBatch(state, jobs);
  const byHost = new Map<string, ProbeJob[]>();
  for (const j of jobs) byHost.set(j.host, [...(byHost.get(j.host) ?? []), j]);
  const { director, client } = state.topology;
  for (const h of allHosts(state.topology)) watch?.expect(h.name, byHost.get(h.name) ?? []);
  await Promise.all(allHosts(state.topology).map(async ({ name: host }) => {
    const hostJobs = byHost.get(host);
    if (hostJobs) {
      await state.connecting.get(host);
      await runBatch(state, watch ? orderForConnection(hostJobs, director.name, client.name) : hostJobs, true, watch);
    }
    classifyHost(state, host);
    watch?.ended(host);
  }));
}

/** Runs a batch of named probes through the probe runner (limits, dedupe, typed errors). */
async function runBatch(state: RunState, batch: ProbeJob[], detectOs = false, watch?: FirstRoundWatch): Promise<void> {
  const { hosts, facts, emit } = state;
  const live = batch.filter((b) => hosts.get(b.host)!.status === 'reachable');
  const started = performance.now();
  for (const b of live) emit({ type: 'probe-start', host: b.host, key: b.probe.key, command: b.probe.argv.join(' ') });
  // detectOs: `uname` runs alongside the first round and Linux-only probes skip elsewhere.
  const requests = live.map((b) => ({ host: b.host, probe: b.probe, name: b.name, ...(b.target ? { target: b.target } : {}) }));
  const outcomes = await runProbes(state.transport, requests, { pool: state.pool, parse: defaultParse, detectOs, signal: state.stop.signal, ...(watch ? { onOutcome: (o: ProbeOutcome) => watch.arrived(o) } : {}) });
  outcomes.forEach((o, i) => {
    const b = live[i];
    // The raw bytes stay with the runner: checks read the parsed result and the text.
    const { raw: _raw, ...outcome } = o;
    // A bundle recorded before a supplementary probe existed: nothing was run, nothing is missing.
    if (!outcome.ok && outcome.notRecorded && state.supplementary.has(b.name)) return;
    hosts.get(b.host)!.probesRun += 1;
    facts.record(outcome);
    emit({ type: 'probe-end', host: b.host, key: b.probe.key, command: outcome.command, ok: outcome.ok, durationMs: Math.round(o.raw?.durationMs ?? performance.now() - started), ...(outcome.ok ? {} : { error: outcome.message }) });
  });
}

/** After a host's first round: did it answer at all, and is it Linux. */
function classifyHost(state: RunState, host: string): void {
  const status = state.hosts.get(host)!;
  if (status.status !== 'reachable') return;
  const o = state.facts.outcome(host, 'uname');
  if (o && !o.ok && o.failure === 'transport') Object.assign(status, { status: 'unreachable', reason: o.message });
  else if (o?.ok && (o.parsed as UnameResult).linux === false) {
    Object.assign(status, { status: 'not-linux', reason: `uname says ${o.stdout.trim()}` });
  }
}

/** The checks in dependency order, each seeing the results of those before it. */
function evaluateChecks(state: RunState, order: readonly CheckDefinition[]): Map<string, CheckResult> {
  const done = new Map<string, CheckResult>();
  for (const check of order) {
    state.emit({ type: 'check-start', id: check.id });
    const result = evaluateCheck(check, state.topology, state.facts, done);
    done.set(check.id, result);
    state.emit({ type: 'check-end', result });
  }
  return done;
}

/** A tiny async queue so the engine can push events from parallel work and the caller can iterate. */
class EventQueue implements AsyncIterable<RunEvent> {
  private readonly items: RunEvent[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  push(e: RunEvent): void {
    this.items.push(e);
    this.wake?.();
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift()!;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}
