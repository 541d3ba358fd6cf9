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
  const done = transport.run(host, argv, {
    timeoutMs: options.timeoutMs,
    needsRoot: options.needsRoot,
    signal: controller.signal,
    outputCap: options.outputCap,
    ...(options.endsOnStdinClose ? { endsOnStdinClose: true } : {}),
    ...(options.onStdoutChunk ? { onStdoutChunk: options.onStdoutChunk } : {}),
    onStderrLine: (line) => {
      if (options.isArmed(line)) arm();
    },
  });
  // A rejection after arming changes nothing: a settled promise stays as it is.
  done.then(
    (r) => fail(new Error(options.endedUnarmed(r))),
    (e: Error) => fail(e),
  );
  done.finally(() => parent?.removeEventListener('abort', onParentAbort)).catch(() => undefined);
  return { armed, done, stop: () => controller.abort() };
}
