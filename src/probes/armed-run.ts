// A long-running probe that says on stderr when it is ready (tcpdump's "listening on", the drop
// trace's armed line): the caller waits for that before making the test connection, stops it
// with the run's own signal or its parent's, and reads its whole output when it ends.
import type { OutputCap } from '../transport/output-cap.js';
import type { RunResult, Transport } from '../transport/transport.js';

export interface ArmedRunOptions {
  timeoutMs: number;
  needsRoot: boolean;
  outputCap: OutputCap;
  /** The stderr line that says the probe is ready. */
  isArmed: (line: string) => boolean;
  /** Why the probe ended without ever being ready. */
  endedUnarmed: (r: RunResult) => string;
  onStdoutChunk?: (chunk: Uint8Array) => void;
  /** Stopped by closing its stdin (see RunOptions.endsOnStdinClose). */
  endsOnStdinClose?: boolean;
  /**
   * With endsOnStdinClose: the probe's counters are asked for as soon as it is ready, and it
   * counts as armed only once they are on stderr (or after `waitMs` without them): what it
   * counted before the caller's test begins (see captureLosses).
   */
  countersWhenArmed?: { isCounters: (line: string) => boolean; waitMs: number };
  /** Every stderr line, once the run has read it (after the arming). */
  onStderrLine?: (line: string) => void;
  /** With endsOnStdinClose: see RunOptions.countersOnDemand. */
  countersOnDemand?: (ask: () => boolean) => void;
}

export interface ArmedRun {
  /** Resolves when the probe is ready; rejects if it ends or fails first. */
  armed: Promise<void>;
  /** The whole run. */
  done: Promise<RunResult>;
  stop(): void;
}

export function startArmedRun(transport: Transport, host: string, argv: readonly string[], options: ArmedRunOptions, parent?: AbortSignal): ArmedRun {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort();
  parent?.addEventListener('abort', onParentAbort, { once: true });
  let arm: () => void = () => undefined;
  let fail: (e: Error) => void = () => undefined;
  const armed = new Promise<void>((resolve, reject) => ([arm, fail] = [resolve, reject]));
  armed.catch(() => undefined);
  const counters = options.endsOnStdinClose ? options.countersWhenArmed : undefined;
  let ready = false;
  let countersLate: ReturnType<typeof setTimeout> | undefined;
  const done = transport.run(host, argv, {
    timeoutMs: options.timeoutMs,
    needsRoot: options.needsRoot,
    signal: controller.signal,
    outputCap: options.outputCap,
    ...(options.endsOnStdinClose ? { endsOnStdinClose: true } : {}),
    ...(counters ? { requestCountersAfter: options.isArmed } : {}),
    ...(options.onStdoutChunk ? { onStdoutChunk: options.onStdoutChunk } : {}),
    ...(options.endsOnStdinClose && options.countersOnDemand ? { countersOnDemand: options.countersOnDemand } : {}),
    onStderrLine: (line) => {
      if (!ready && options.isArmed(line)) {
        ready = true;
        if (!counters) arm();
        else countersLate = setTimeout(arm, counters.waitMs);
      } else if (ready && counters?.isCounters(line)) {
        clearTimeout(countersLate);
        arm();
      }
      options.onStderrLine?.(line);
    },
  });
  // A rejection after arming changes nothing: a settled promise stays as it is. A probe that
  // was ready and ended before its counters came (a replayed one from before they were asked
  // for) was armed all the same.
  done.then(
    (r) => {
      clearTimeout(countersLate);
      if (ready) arm();
      else fail(new Error(options.endedUnarmed(r)));
    },
    (e: Error) => {
      clearTimeout(countersLate);
      if (ready) arm();
      else fail(e);
    },
  );
  done.finally(() => parent?.removeEventListener('abort', onParentAbort)).catch(() => undefined);
  return { armed, done, stop: () => controller.abort() };
}
