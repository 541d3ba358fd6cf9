// The doctor's only window on hosts. ssh, local and replay implement it; the check graph
// cannot tell them apart, which is what makes record/replay and the tests honest.
import type { OutputCap } from './output-cap.js';

export interface RunOptions {
  /** Hard bound: the command is killed (remotely too) after this. */
  timeoutMs: number;
  /** Run through `sudo -n` when the login is not root (the transport decides if it must). */
  needsRoot?: boolean;
  /** Aborting stops the command on the host (captures are stopped this way). */
  signal?: AbortSignal;
  /** Live stderr lines, e.g. tcpdump's "listening on ..." that says a capture is armed. */
  onStderrLine?: (line: string) => void;
  /** Live stdout bytes as they arrive (a capture read while it runs); the result keeps them all the same. */
  onStdoutChunk?: (chunk: Uint8Array) => void;
  /** A quick read (ip, sysctl, cat...): a transport may run several in one session. */
  batch?: boolean;
  /** With batch: a read that mostly waits on the network (traceroute's silent hops) may run beside the session's others. */
  besideOthers?: boolean;
  /**
   * A long-running command stopped through its stdin: the transport gives it an open stdin and
   * stops it by closing that (no process started for the stop), and a doctor that dies or a
   * connection that drops closes it as well. For commands that never read their stdin.
   */
  endsOnStdinClose?: boolean;
  /**
   * With endsOnStdinClose: once, right after the first stderr line this accepts, the command is
   * asked for its counters (a line on its stdin; see STDIN_WATCH), as tcpdump prints them on
   * SIGINFO/SIGUSR1. A recording has them in its stderr already.
   */
  requestCountersAfter?: (line: string) => boolean;
  /**
   * With endsOnStdinClose: once the command runs, the caller is handed a function that asks it
   * for its counters again, whenever the caller wants (a line on its stdin; false once stdin is
   * closed). A replay hands none: what it serves was recorded whole.
   */
  countersOnDemand?: (ask: () => boolean) => void;
  /** What of stdout is kept at most (default TEXT_OUTPUT_CAP); past it the run fails with 'output-limit'. */
  outputCap?: OutputCap;
}

/** How many quick reads share one session at most; a caller counting sessions uses this too. */
export const QUICK_PER_SESSION = 16;

export interface RunResult {
  /** Raw bytes: pcaps come through here. */
  stdout: Uint8Array;
  stderr: string;
  /** A non-zero exit is data for the parser, not a failure of the transport. */
  exitCode: number;
  durationMs: number;
  /** True when the run ended because `signal` aborted it (a stopped capture). */
  stopped?: boolean;
  /** True when the remote `timeout` bound fired (exit 124/137); the bytes so far are kept. */
  timedOut?: boolean;
}

export type TransportErrorKind =
  | 'unreachable'
  | 'auth'
  | 'host-key'
  | 'timeout'
  | 'invalid-argument'
  | 'no-access'
  | 'replay-miss'
  | 'output-limit'
  | 'internal';

/** No answer from the host: the checks that needed it become unknown, the run goes on. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportErrorKind,
    readonly host: string,
    message: string,
  ) {
    super(`${host}: ${message}`);
  }
}

export interface Transport {
  /** host is a HostSpec name of the topology; argv is never a shell string. */
  run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult>;
  /**
   * Several commands started at once on one host, each answered as `run` answers it, as soon
   * as it has ended: the test connections. `options` hold for all of them together (one
   * signal stops those still running). A transport may run them in one session (ssh: one
   * local process and one remote session instead of one each); others run them one by one
   * (runEachAlone). A recording keeps one entry per command, as if each had been run alone.
   */
  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[];
  /** Opens what can be opened ahead (ssh ControlMasters). Optional. */
  prepare?(hosts: readonly string[]): Promise<Map<string, TransportError | null>>;
  /**
   * A transport that serves a recording (replay.ts): whether some recorded run's argv (on
   * `host`, when given) holds `word`, so the engine asks for the runs it holds.
   */
  recordedWith?(word: string, host?: string): boolean;
  close(): Promise<void>;
}

/** `start`'s answers; if it throws instead (a host with no transport, a bad argv), `count` runs rejected with that error. */
export function answersOrThrown(count: number, start: () => Promise<RunResult>[]): Promise<RunResult>[] {
  try {
    return start();
  } catch (error) {
    return Array.from({ length: count }, () => Promise.reject(error));
  }
}

/** runTogether for a transport that has no cheaper way: each command through its own run. */
export function runEachAlone(transport: Pick<Transport, 'run'>, host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
  return argvs.map((argv) => transport.run(host, argv, options));
}
