// OpenSSH as a Transport: the only execa import in the project. One ControlMaster per host
// under a private socket directory; every command bounded remotely by `timeout` and
// stoppable by PID over the master (a SIGTERM to the local mux client alone can leave the
// remote process running), a capture by closing its session's stdin (remote-command.ts).
import { execa, type ResultPromise } from 'execa';
import { readFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostSpec, SshTarget } from '../model/topology.js';
import { shellJoin } from './quote.js';
import { handCountersOnDemand, stderrWithCounterRequest } from './counter-request.js';
import { killArgv, remoteCommand, stopCommand } from './remote-command.js';
import { resolveCommand } from './command-path.js';
import { SshChannel } from './ssh-channel.js';
import { connectionOptions, master, optionArgs, SESSION } from './ssh-options.js';
import { ensurePrivateDir, sharedControlPath, shortTmpdir, socketAnswers, withOpenLock } from './ssh-reuse.js';
import { makeRunSocketDir, mastersUnder, pidAlive, sweepStaleSocketDirs } from './socket-dirs.js';
import { batchBoundMs, batchScript, besideLast, markOverflow, newBoundary, splitBatchOutput, type BatchItem, type BatchItemResult } from './ssh-batch.js';
import { classifySshError, isSudoRefusal, lastLine } from './ssh-errors.js';
import { collectOutput, exitMeansTimedOut } from './streams.js';
import { HandshakeGate } from './handshake-gate.js';
import { deferred, type Deferred } from '../util/deferred.js';
import { togetherScript, TogetherFrames } from './together.js';
import { QUICK_PER_SESSION, runEachAlone, TransportError, type RunOptions, type RunResult, type Transport } from './transport.js';

export interface SshTransportOptions {
  /** The topology's hosts; only those with access 'ssh' and an `ssh` target are reachable. */
  hosts: readonly HostSpec[];
  /** The ssh client to run (the lab's wrapper runs ssh inside its ops namespace). */
  sshPath?: string;
  /** StrictHostKeyChecking=accept-new; only when the user asked (--accept-new-host-keys). */
  acceptNewHostKeys?: boolean;
  connectTimeoutSec?: number;
  /** How long an idle master outlives the doctor if the doctor is killed (default 10 s). */
  controlPersistSec?: number;
  /** How many shells a host may have open for quick probes when they queue up (default 4). */
  channelsPerHost?: number;
  /**
   * Leave the masters open after the run, idle for at most `seconds`, in `dir` (a private
   * directory), and use the ones a previous run left there: the next run skips the handshakes.
   */
  keepConnections?: { dir: string; seconds: number };
  /** Keep a shell open per host for quick probes (default); false: one session per batch. */
  channels?: boolean;
  /** How many handshakes may be in flight at once (default: see handshake-gate.ts). */
  handshakesAtOnce?: number;
}

interface HostState {
  target: SshTarget;
  controlPath: string;
  master?: Promise<TransportError | null>;
  /** The master has connected or failed (its start, `ssh -f`, has returned). */
  masterSettled?: boolean;
  /** The `ssh -f` that is opening the master, while it runs. */
  starting?: ResultPromise;
  /** The shells kept open for batches (see ssh-channel.ts): one, more when batches queue up. */
  channels: SshChannel[];
}

interface QueuedRun {
  item: BatchItem;
  options: RunOptions;
  resolve: (r: RunResult) => void;
  reject: (e: unknown) => void;
}

const STOP_TIMEOUT_MS = 5_000;
/** How long a command stopped through its stdin has to end before it is stopped by PID. */
const STDIN_STOP_GRACE_MS = 2_000;
/** How long a stop waits for the PID of a command that has just started (it comes first). */
const PID_WAIT_MS = 500;
/**
 * A run's own masters outlive it this long when it is killed (-9: nothing of ours runs to close
 * them). Short, because nothing reuses them; --keep-connections masters have their own time.
 */
const RUN_CONTROL_PERSIST_S = 10;
/**
 * A cleanup command (a stop by PID, a master's exit): bounded, and not killed with the doctor
 * (execa's default), so that one still on its way when an interrupted run hits its hard bound
 * and exits (src/commands/interrupt.ts) still does its job.
 */
const CLEANUP_RUN = { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', reject: false, timeout: STOP_TIMEOUT_MS, cleanup: false } as const;
/**
 * How long close() waits for a master it sent SIGTERM to be gone (one still in its handshake:
 * its `ssh -f`), before SIGKILL. Masters end on SIGTERM within tens of milliseconds, nearly always.
 */
const MASTER_SETTLE_MS = 500;
/** Shells per host: with sshd's MaxSessions 10, room is left for captures and their stops. */
const CHANNELS_PER_HOST = 4;
/** Longest life of a host's open shell; a run, or a TUI session's re-runs, opens another after. */
const CHANNEL_LIFETIME_S = 600;
/** Local bound beyond the remote one: covers connect time and `timeout -k 1`. */
const LOCAL_GRACE_MS = 4_000;

export class SshTransport implements Transport {
  private readonly sshPath: string;
  private readonly hosts = new Map<string, HostState>();
  private socketDir?: Promise<string>;
  private sharedDirReady?: Promise<void>;
  private readonly inFlight = new Set<AbortController>();
  /** Per host: the stop commands still on their way (its master must outlive them). */
  private readonly pendingStops = new Map<HostState, Set<Promise<void>>>();
  private readonly queues = new Map<string, QueuedRun[]>();
  private readonly handshakes: HandshakeGate;
  private closed = false;

  constructor(private readonly options: SshTransportOptions) {
    // Looked up in PATH once here rather than by execvp in every forked child (command-path.ts).
    this.sshPath = resolveCommand(options.sshPath ?? 'ssh');
    this.handshakes = new HandshakeGate(options.handshakesAtOnce);
    for (const spec of options.hosts) {
      if (spec.access !== 'ssh' || !spec.ssh) continue;
      this.hosts.set(spec.name, { target: spec.ssh, controlPath: '', channels: [] });
    }
  }

  async prepare(hosts: readonly string[]): Promise<Map<string, TransportError | null>> {
    const results = await Promise.all(hosts.map(async (h) => [h, await this.ensureMaster(h)] as const));
    return new Map(results);
  }

  /** The host once its master is up (else why not), and whether `options` run it through sudo; nothing starts once closed. */
  private async ready(host: string, options: RunOptions): Promise<{ state: HostState; sudo: boolean }> {
    if (this.closed) throw new TransportError('internal', host, 'transport is closed');
    const failure = await this.ensureMaster(host);
    if (failure) throw failure;
    if (this.closed) throw new TransportError('internal', host, 'transport is closed');
    const state = this.state(host);
    return { state, sudo: Boolean(options.needsRoot && state.target.sudo) };
  }

  async run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    const { state, sudo } = await this.ready(host, options);
    let remote: string;
    try {
      remote = remoteCommand(argv, { timeoutMs: options.timeoutMs, sudo, endsOnStdinClose: options.endsOnStdinClose === true });
    } catch (error) {
      throw new TransportError('invalid-argument', host, (error as Error).message);
    }
    if (options.batch && !options.onStderrLine) {
      if (options.signal?.aborted) return { stdout: new Uint8Array(), stderr: '', exitCode: 130, durationMs: 0, stopped: true };
      const queued = new Promise<RunResult>((resolve, reject) => this.enqueue(host, { item: { argv, timeoutMs: options.timeoutMs, sudo, ...(options.besideOthers ? { beside: true } : {}) }, options, resolve, reject }));
      // A quick read is not stopped on the host (it ends within its short bound by itself):
      // a stopped run just stops waiting for it.
      return options.signal ? stoppedOnAbort(queued, options.signal) : queued;
    }
    return this.session(host, state, remote, options, sudo, options.endsOnStdinClose === true);
  }

  /**
   * The commands in one session (together.ts): one local ssh and one remote session for all.
   * Each answers once its frame has come; those still running when the session ends were
   * stopped (the signal), timed out (the session's bound) or lost with the session.
   */
  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    // What one session cannot give each command (live stderr lines, live stdout, a shared
    // quick-read session): each in its own.
    if (argvs.length < 2 || options.batch || options.onStderrLine || options.onStdoutChunk) return runEachAlone(this, host, argvs, options);
    const answers = argvs.map(() => deferred<RunResult>());
    void this.together(host, argvs, options, answers);
    return answers.map((a) => a.promise);
  }

  private async together(host: string, argvs: readonly (readonly string[])[], options: RunOptions, answers: Deferred<RunResult>[]): Promise<void> {
    const open = new Set(answers);
    const settle = (i: number, outcome: RunResult | Error): void => {
      if (!open.delete(answers[i])) return;
      if (outcome instanceof Error) answers[i].reject(outcome);
      else answers[i].resolve(outcome);
    };
    try {
      const { state, sudo } = await this.ready(host, options);
      const boundary = newBoundary();
      let remote: string;
      try {
        remote = remoteCommand(['sh', '-c', togetherScript(argvs, boundary)], { timeoutMs: options.timeoutMs, sudo });
      } catch (error) {
        throw new TransportError('invalid-argument', host, (error as Error).message);
      }
      const started = performance.now();
      const frames = new TogetherFrames(boundary, argvs.length);
      let seen = Buffer.alloc(0);
      const onStdoutChunk = (chunk: Uint8Array): void => {
        seen = Buffer.concat([seen, chunk]);
        const durationMs = Math.round(performance.now() - started);
        for (const f of frames.take(seen)) {
          if ('error' in f) settle(f.index, new TransportError('internal', host, f.error.message));
          else settle(f.index, { stdout: f.stdout, stderr: f.stderr, exitCode: f.exitCode, durationMs, ...(exitMeansTimedOut(f.exitCode) ? { timedOut: true } : {}) });
        }
      };
      const session = await this.session(host, state, remote, { ...options, onStdoutChunk }, sudo, true);
      const { exitCode, durationMs } = session;
      answers.forEach((_, i) => {
        // Each was ended by the stop's SIGTERM (the session's own status is its timeout's, re-raised).
        if (session.stopped) settle(i, { stdout: new Uint8Array(), stderr: '', exitCode: 128 + 15, durationMs, stopped: true });
        else if (session.timedOut) settle(i, { stdout: new Uint8Array(), stderr: '', exitCode: 124, durationMs, timedOut: true });
        else settle(i, new TransportError('internal', host, `the session ended (exit ${exitCode}) before this command's result: ${lastLine(session.stderr) || 'no message'}`));
      });
    } catch (error) {
      const te = error instanceof TransportError ? error : new TransportError('internal', host, (error as Error).message);
      answers.forEach((_, i) => settle(i, te));
    }
  }

  /** One command line in a session of its own; `byStdin`: stopped by closing its stdin. */
  private async session(host: string, state: HostState, remote: string, options: RunOptions, sudo: boolean, byStdin: boolean): Promise<RunResult> {
    if (options.signal?.aborted) return { stdout: new Uint8Array(), stderr: '', exitCode: 130, durationMs: 0, stopped: true };
    const started = performance.now();
    const child = execa(this.sshPath, [...this.baseArgs(state), ...optionArgs(SESSION), '-T', '--', state.target.host, remote], {
      stdin: byStdin ? 'pipe' : 'ignore',
      buffer: false,
      reject: false,
      encoding: 'buffer',
    });
    // Closing it after ssh has gone is no error.
    child.stdin?.on('error', () => undefined);
    let pid: number | undefined;
    // A stop may come before the remote said its PID (it had just started): it waits for it.
    let pidKnown: (p: number | undefined) => void = () => undefined;
    const pidPromise = new Promise<number | undefined>((resolve) => (pidKnown = resolve));
    void child.then(() => pidKnown(undefined), () => pidKnown(undefined));
    const local = new AbortController();
    this.inFlight.add(local);
    let stopped = false;
    let localTimeout = false;
    const output = collectOutput(child.stdout, child.stderr, stderrWithCounterRequest(options, byStdin ? child.stdin : null), (p) => pidKnown((pid = p)), { stdout: options.outputCap, onOverflow: () => stop(), onStdoutChunk: options.onStdoutChunk });
    handCountersOnDemand(options, byStdin ? child.stdin : null);
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      const pidOnItsWay = (): Promise<number | undefined> => (pid !== undefined ? Promise.resolve(pid) : withTimeout(pidPromise, PID_WAIT_MS));
      const stopping = byStdin ? this.stopByStdin(state, child, pidOnItsWay, sudo) : this.stopRemote(state, pidOnItsWay(), sudo, child);
      const pending = this.pendingStops.get(state) ?? new Set<Promise<void>>();
      this.pendingStops.set(state, pending);
      pending.add(stopping);
      void stopping.finally(() => pending.delete(stopping));
    };
    const onAbort = (): void => stop();
    options.signal?.addEventListener('abort', onAbort);
    local.signal.addEventListener('abort', onAbort);
    const timer = setTimeout(() => {
      localTimeout = true;
      stop();
    }, options.timeoutMs + LOCAL_GRACE_MS);
    try {
      const [result, stdout, stderr] = await Promise.all([child, output.stdout, output.stderr]);
      const exitCode = typeof result.exitCode === 'number' ? result.exitCode : 255;
      const durationMs = Math.round(performance.now() - started);
      const overflow = output.overflow();
      if (overflow) throw new TransportError('output-limit', host, overflow);
      if (localTimeout) throw new TransportError('timeout', host, `no answer within ${options.timeoutMs + LOCAL_GRACE_MS} ms`);
      if (stopped) return { stdout, stderr, exitCode, durationMs, stopped: true };
      if (exitCode === 255) {
        const kind = classifySshError(stderr);
        // Without the PID line the remote command never started: any 255 is ssh's own.
        if (kind || pid === undefined) throw new TransportError(kind ?? 'unreachable', host, lastLine(stderr));
      }
      if (sudo && exitCode !== 0 && isSudoRefusal(stderr)) throw new TransportError('no-access', host, lastLine(stderr));
      return { stdout, stderr, exitCode, durationMs, ...(exitMeansTimedOut(exitCode) ? { timedOut: true } : {}) };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      this.inFlight.delete(local);
    }
  }

  private enqueue(host: string, run: QueuedRun): void {
    const queue = this.queues.get(host);
    if (queue) {
      queue.push(run);
      return;
    }
    this.queues.set(host, [run]);
    // Everything queued for this host in this turn of the event loop shares the session.
    setImmediate(() => {
      // Reads whose run was stopped meanwhile are not started (their callers have moved on).
      const all = (this.queues.get(host) ?? []).filter((r) => !r.options.signal?.aborted);
      this.queues.delete(host);
      for (let i = 0; i < all.length; i += QUICK_PER_SESSION) void this.runBatch(host, all.slice(i, i + QUICK_PER_SESSION));
    });
  }

  /** Several quick commands in the host's channel, or else in one session of their own. */
  private async runBatch(host: string, queued: QueuedRun[]): Promise<void> {
    if (this.refusedClosed(host, queued)) return;
    const runs = besideLast(queued);
    const state = this.state(host);
    const items = runs.map((r) => r.item);
    const channel = this.channelFor(state);
    if (channel) {
      const started = performance.now();
      // Each read is answered as it ends: the next probes (and the test connection's first SYN)
      // need not wait for an item beside them that waits on the network.
      const answered = new Set<number>();
      const onItem = (i: number, part: BatchItemResult): void => {
        answered.add(i);
        this.settleOne(host, runs[i], part, Math.round(performance.now() - started));
      };
      let parts: (BatchItemResult | null)[] | null;
      try {
        parts = await channel.run(items, false, onItem);
      } catch (error) {
        runs.forEach((r) => r.reject(new TransportError('invalid-argument', host, (error as Error).message)));
        return;
      }
      // A channel that answered some items resolves with them (null only when nothing ended).
      if (parts) {
        const durationMs = Math.round(performance.now() - started);
        runs.forEach((r, i) => (answered.has(i) ? undefined : this.settleOne(host, r, parts![i], durationMs)));
        return;
      }
    }
    // The channel may have gone because close() ended it.
    if (this.refusedClosed(host, runs)) return;
    if (runs.length === 1) {
      const [one] = runs;
      this.run(host, one.item.argv, { ...one.options, batch: false }).then(one.resolve, one.reject);
      return;
    }
    const boundary = newBoundary();
    let script: string;
    try {
      script = batchScript(items, boundary);
    } catch (error) {
      runs.forEach((r) => r.reject(new TransportError('invalid-argument', host, (error as Error).message)));
      return;
    }
    const started = performance.now();
    // The session runs under the longest command's bound on the host; this one is only a backstop.
    const bound = batchBoundMs(items) + LOCAL_GRACE_MS;
    const local = new AbortController();
    this.inFlight.add(local);
    const child = execa(this.sshPath, [...this.baseArgs(state), ...optionArgs(SESSION), '-T', '--', state.target.host, script], {
      stdin: 'ignore',
      buffer: false,
      reject: false,
      encoding: 'buffer',
      timeout: bound,
      cancelSignal: local.signal,
    });
    // A batch of quick reads is held to one command's caps, together (see output-cap.ts).
    const output = collectOutput(child.stdout, child.stderr, undefined, undefined, { onOverflow: () => local.abort() });
    try {
      const [result, stdout, stderr] = await Promise.all([child, output.stdout, output.stderr]);
      const overflow = output.overflow();
      if (overflow) {
        this.settleBatch(host, runs, markOverflow(splitBatchOutput(stdout, stderr, boundary, runs.length), overflow), Math.round(performance.now() - started));
        return;
      }
      if (result.timedOut) {
        runs.forEach((r) => r.reject(new TransportError('timeout', host, `no answer within ${bound} ms`)));
        return;
      }
      const parts = splitBatchOutput(stdout, stderr, boundary, runs.length);
      if (result.exitCode === 255 && parts.every((p) => p === null)) {
        const kind = classifySshError(stderr) ?? 'unreachable';
        runs.forEach((r) => r.reject(new TransportError(kind, host, lastLine(stderr))));
        return;
      }
      this.settleBatch(host, runs, parts, Math.round(performance.now() - started));
    } catch (error) {
      runs.forEach((r) => r.reject(error instanceof TransportError ? error : new TransportError('internal', host, (error as Error).message)));
    } finally {
      this.inFlight.delete(local);
    }
  }

  /** Nothing may start once close() has stopped what was running: it would run on, unwatched. */
  private refusedClosed(host: string, runs: QueuedRun[]): boolean {
    if (!this.closed) return false;
    runs.forEach((r) => r.reject(new TransportError('internal', host, 'transport is closed')));
    return true;
  }

  /** Each batched command's result to its caller; one whose frame never started runs alone. */
  private settleBatch(host: string, runs: QueuedRun[], parts: (BatchItemResult | null)[], durationMs: number): void {
    runs.forEach((r, i) => this.settleOne(host, r, parts[i], durationMs));
  }

  private settleOne(host: string, r: QueuedRun, part: BatchItemResult | null, durationMs: number): void {
    if (!part) {
      // The session ended before this frame (dropped connection): ask again on its own.
      this.run(host, r.item.argv, { ...r.options, batch: false }).then(r.resolve, r.reject);
      return;
    }
    if (part.overflow) {
      r.reject(new TransportError('output-limit', host, part.overflow));
      return;
    }
    if (r.item.sudo && part.exitCode !== 0 && isSudoRefusal(part.stderr)) {
      r.reject(new TransportError('no-access', host, lastLine(part.stderr)));
      return;
    }
    r.resolve({ stdout: part.stdout, stderr: part.stderr, exitCode: part.exitCode, durationMs, ...(part.timedOut || exitMeansTimedOut(part.exitCode) ? { timedOut: true } : {}) });
  }

  /**
   * A shell for the next batch: the least busy one while no batch would wait behind another
   * waiting one there; else a new shell while the host has fewer than its share (a backed-up
   * queue, as a director probing a hundred off-limits realservers, is then worked through in
   * parallel); else the least busy. A host with a batch or two keeps its single shell.
   */
  private channelFor(state: HostState): SshChannel | null {
    state.channels = state.channels.filter((c) => c.alive);
    const least = state.channels.reduce<SshChannel | undefined>((a, b) => (a === undefined || b.pending < a.pending ? b : a), undefined);
    if (least && least.pending < 2) return least;
    if (this.closed || this.options.channels === false) return null;
    if (least && state.channels.length >= (this.options.channelsPerHost ?? CHANNELS_PER_HOST)) return least;
    // Whatever the login shell, batches are read by a POSIX shell from stdin. The shell ends at
    // the end of its input, and in any case after CHANNEL_LIFETIME_S, so that a connection that
    // dropped without an EOF leaves no shell behind for long (the next batch opens a new one).
    const remote = `exec ${shellJoin(['timeout', String(CHANNEL_LIFETIME_S), 'sh'])}`;
    const child = execa(this.sshPath, [...this.baseArgs(state), ...optionArgs(SESSION), '-T', '--', state.target.host, remote], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      encoding: 'buffer',
    });
    const channel = new SshChannel({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited: child, kill: () => child.kill('SIGKILL') }, LOCAL_GRACE_MS);
    state.channels.push(channel);
    return channel;
  }

  /** Stops every running command (their remote processes too), exits the masters, removes the
   * sockets (with keepConnections: leaves the masters and their directory for the next run). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.inFlight) c.abort();
    // Kept masters stay for the next run; each exits by itself after its idle time.
    if (this.options.keepConnections) {
      await Promise.all([...this.pendingStops.values()].flatMap((p) => [...p]));
      await Promise.all([...this.hosts.values()].flatMap((h) => h.channels).map((c) => c.close()));
      return;
    }
    const dir = this.socketDir ? await this.socketDir.catch(() => undefined) : undefined;
    const hosts = [...this.hosts.values()];
    // A master is found in /proc by its command line. One that has connected is a single
    // process there. One still in its handshake is not yet what it will be: after the
    // authentication `ssh -f` forks the master into the background, and for a moment two
    // processes carry its command line. A signal to the one that is about to exit would leave
    // the master running, with no run of ours left to end it. Those masters are stopped first,
    // and looked for once their `ssh -f` has gone.
    const connecting = new Set(hosts.filter((s) => s.master && !s.masterSettled));
    const settledMasters = dir ? mastersUnder(dir) : Promise.resolve(new Map<string, number>());
    let lateMasters: Promise<Map<string, number>> | undefined;
    const stoppedConnecting = Promise.all([...connecting].map((s) => this.stopConnecting(s)));
    // Each host as soon as its own stop commands (which travel over its master and may use its
    // shells) are done: its shells go, and its master, which ends their sessions too. An
    // interrupted run has about a second for all of this.
    await Promise.all(
      hosts.map(async (s) => {
        await Promise.all([...(this.pendingStops.get(s) ?? [])]);
        await Promise.all(s.channels.map((c) => c.close(50)));
        if (!s.master) return;
        if (connecting.has(s)) lateMasters ??= stoppedConnecting.then(() => (dir ? mastersUnder(dir) : new Map<string, number>()));
        const masters = await (connecting.has(s) ? lateMasters! : settledMasters);
        const pid = masters.get(s.controlPath);
        if (pid !== undefined && signalled(pid)) {
          await endsOrIsKilled(pid);
          return;
        }
        // /proc could not tell: ask ssh, if there is a socket to ask (none: no master there).
        if (!s.controlPath || !(await stat(s.controlPath).then(() => true, () => false))) return;
        await execa(this.sshPath, [...this.baseArgs(s), '-O', 'exit', '--', s.target.host], CLEANUP_RUN);
      }),
    );
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  /** Ends a master's `ssh -f` that is still connecting, and waits (bounded) until it has gone. */
  private async stopConnecting(s: HostState): Promise<void> {
    s.starting?.kill('SIGTERM');
    const gone = await withTimeout(s.master!.then(() => true), MASTER_SETTLE_MS);
    if (!gone) s.starting?.kill('SIGKILL');
  }

  /** The private ControlMaster socket directory, once a master was opened (for cleanup by a parent). */
  async socketDirectory(): Promise<string | undefined> {
    return this.socketDir ? this.socketDir : undefined;
  }

  private state(host: string): HostState {
    const state = this.hosts.get(host);
    if (!state) throw new TransportError('no-access', host, 'no ssh access configured for this host');
    return state;
  }

  private ensureMaster(host: string): Promise<TransportError | null> {
    let state: HostState;
    try {
      state = this.state(host);
    } catch (error) {
      return Promise.resolve(error as TransportError);
    }
    state.master ??= this.openMaster(host, state).then((failure) => {
      state.masterSettled = true;
      return failure;
    });
    return state.master;
  }

  private async openMaster(host: string, state: HostState): Promise<TransportError | null> {
    const keep = this.options.keepConnections;
    if (keep) return this.reuseOrOpenMaster(host, state, keep);
    this.socketDir ??= this.runSocketDir();
    const dir = await this.socketDir;
    const index = [...this.hosts.keys()].indexOf(host);
    state.controlPath = join(dir, `h${index}`);
    return this.handshakes.run(() => this.startMaster(host, state, this.options.controlPersistSec ?? RUN_CONTROL_PERSIST_S, join(dir, `h${index}.log`)));
  }

  /** This run's socket directory; the directories of runs that were killed go first. */
  private async runSocketDir(): Promise<string> {
    const parent = shortTmpdir();
    await sweepStaleSocketDirs(parent);
    return makeRunSocketDir(parent);
  }

  /** --keep-connections: a master a previous run left is used as it is; else one is opened to stay. */
  private async reuseOrOpenMaster(host: string, state: HostState, keep: { dir: string; seconds: number }): Promise<TransportError | null> {
    // The shared directory is the user's filesystem: whatever goes wrong there (refused, gone
    // from under us) is this host's error, never a rejected connection promise.
    try {
      this.sharedDirReady ??= ensurePrivateDir(keep.dir);
      await this.sharedDirReady;
      return await this.reuseOrOpenIn(host, state, keep);
    } catch (error) {
      return new TransportError('internal', host, `--keep-connections: ${(error as Error).message}`);
    }
  }

  private async reuseOrOpenIn(host: string, state: HostState, keep: { dir: string; seconds: number }): Promise<TransportError | null> {
    // Named by the ssh the user gave (not its resolved file): the sockets of earlier runs still match.
    state.controlPath = sharedControlPath(keep.dir, this.options.sshPath ?? 'ssh', state.target);
    if (await this.masterUp(state)) return null;
    const connectBoundMs = ((this.options.connectTimeoutSec ?? 5) + 10) * 1000;
    // The handshake's turn comes before the lock: a lock held while waiting for a turn could
    // look stale (older than a connect) to another run, which would then open a second master.
    const opened = await this.handshakes.run(() =>
      withOpenLock(
        state.controlPath,
        async () => {
          // Nothing answers on the socket (withOpenLock just checked): one left by a master that
          // was killed would make ssh refuse to listen there ("already exists, disabling
          // multiplexing") and keep a plain connection in the background that never exits.
          await rm(state.controlPath, { force: true });
          return this.startMaster(host, state, keep.seconds, `${state.controlPath}.log`);
        },
        () => this.masterUp(state),
        { staleMs: connectBoundMs },
      ),
    );
    return opened ?? null;
  }

  /** Is a master listening on this host's socket? Asked of the socket, then of `ssh -O check`. */
  private async masterUp(state: HostState): Promise<boolean> {
    if (await socketAnswers(state.controlPath)) return true;
    // No socket at all (a first run): no master, and no process started to learn it.
    if (!(await stat(state.controlPath).then(() => true, () => false))) return false;
    const r = await execa(this.sshPath, [...this.baseArgs(state), '-O', 'check', '--', state.target.host], {
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
      reject: false,
      timeout: STOP_TIMEOUT_MS,
    });
    return r.exitCode === 0;
  }

  private async startMaster(host: string, state: HostState, persistSec: number, log: string): Promise<TransportError | null> {
    // A handshake whose turn comes after close() would open a master nothing ends.
    if (this.closed) return new TransportError('internal', host, 'transport is closed');
    // -f: the master backgrounds itself after authentication; its stderr goes to a file so
    // that no pipe is held open by the daemonised master.
    const starting = execa(
      this.sshPath,
      [...this.baseArgs(state), ...optionArgs(master(persistSec)), '-N', '-f', '--', state.target.host],
      { stdin: 'ignore', stdout: 'ignore', stderr: { file: log }, reject: false, timeout: ((this.options.connectTimeoutSec ?? 5) + 10) * 1000 },
    );
    state.starting = starting;
    const result = await starting.finally(() => (state.starting = undefined));
    const text = await readFile(log, 'utf8').catch(() => '');
    await rm(log, { force: true });
    if (result.timedOut) return new TransportError('timeout', host, 'ssh did not connect in time');
    if (result.exitCode === 0) return null;
    return new TransportError(classifySshError(text) ?? 'unreachable', host, lastLine(text));
  }

  private baseArgs(state: HostState): string[] {
    const t = state.target;
    return [
      ...optionArgs(connectionOptions({ controlPath: state.controlPath, connectTimeoutSec: this.options.connectTimeoutSec ?? 5, acceptNewHostKeys: this.options.acceptNewHostKeys })),
      ...(t.configFile ? ['-F', t.configFile] : []),
      ...(t.port ? ['-p', String(t.port)] : []),
      ...(t.user ? ['-l', t.user] : []),
      ...(t.identityFile ? ['-i', t.identityFile] : []),
      ...(t.jump ? ['-J', t.jump] : []),
    ];
  }

  /**
   * The end of its stdin ends the remote command (remote-command.ts, STDIN_WATCH): no process
   * to start. Should it not have ended a while later (a host whose shell did not run the
   * watcher), it is stopped by PID as any other command.
   */
  private async stopByStdin(state: HostState, child: ResultPromise, pid: () => Promise<number | undefined>, sudo: boolean): Promise<void> {
    child.stdin?.end();
    const ended = await withTimeout(child.then(() => true, () => true), STDIN_STOP_GRACE_MS);
    if (!ended) await this.stopRemote(state, pid(), sudo, child);
  }

  private async stopRemote(state: HostState, pidOnItsWay: Promise<number | undefined>, sudo: boolean, child: ResultPromise): Promise<void> {
    const pid = await pidOnItsWay;
    // Through an idle open channel when there is one (no process to start).
    // Only an idle shell: one busy with a batch would make the stop wait for it.
    const idle = state.channels.find((c) => c.alive && c.pending === 0);
    const viaChannel = pid !== undefined && idle ? await idle.run([{ argv: killArgv(pid), timeoutMs: STOP_TIMEOUT_MS, sudo }], true).catch(() => null) : null;
    if (pid !== undefined && !viaChannel?.[0]) {
      await execa(this.sshPath, [...this.baseArgs(state), ...optionArgs(SESSION), '-T', '--', state.target.host, stopCommand(pid, sudo)], CLEANUP_RUN);
    }
    // Whatever the remote did, the local client must not outlive the stop.
    setTimeout(() => child.kill('SIGKILL'), pid === undefined ? 0 : 2_000).unref();
  }
}

/** SIGTERM to a master of ours (it exits cleanly: sessions closed, socket removed); false if it was gone. */
function signalled(pid: number): boolean {
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits for a master we sent SIGTERM to be gone. One has been seen alive more than a second
 * after close() sent it SIGTERM, its session on the host with it (signals.lab, about one run in
 * eight): past MASTER_SETTLE_MS it gets SIGKILL, and the host's sshd ends the session when the
 * connection closes. Where /proc cannot tell, it is taken as gone (as before this wait).
 */
async function endsOrIsKilled(pid: number): Promise<void> {
  for (let waited = 0; waited < MASTER_SETTLE_MS; waited += 20) {
    if (!running(pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!running(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/** Alive and not a zombie (a master daemonised by `ssh -f` is reaped by init, maybe not at once). */
function running(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** `promise`'s value, or undefined after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    void promise.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

/** The run's answer once `signal` aborts, if it has not come before: a stopped run. */
function stoppedOnAbort(run: Promise<RunResult>, signal: AbortSignal): Promise<RunResult> {
  const stopped: RunResult = { stdout: new Uint8Array(), stderr: '', exitCode: 130, durationMs: 0, stopped: true };
  if (signal.aborted) {
    run.catch(() => undefined);
    return Promise.resolve(stopped);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(stopped);
    signal.addEventListener('abort', onAbort, { once: true });
    run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createSshTransport(options: SshTransportOptions): SshTransport {
  return new SshTransport(options);
}
