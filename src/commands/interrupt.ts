// Ctrl-C and SIGTERM during a report command. execa's signal-exit re-raises a signal as soon as
// it sees itself as the only listener left, which killed the process before any cleanup ran:
// our listeners stay registered for the whole command, abort the run (which stops captures,
// closes masters and reports what it has), and a hard bound ends the process if that takes
// more than a second. A second signal ends it at once.
import type { StopRequest } from '../engine/stop-early.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** 128 + the signal's number, as a shell reports a process a signal ended. */
export const INTERRUPT_EXIT_CODES: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export const INTERRUPT_BOUND_MS = 1_000;

export interface InterruptWatch {
  /** Aborted on the first signal, with a StopRequest naming it. */
  signal: AbortSignal;
  /** The signal received, or null. */
  received(): InterruptSignal | null;
  /** Removes the listeners and the bound (the command is over). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM. `exitNow` is called with the exit code when the bound passes
 * or a second signal comes: the caller (the CLI, the only place that exits) ends the process.
 */
export function watchInterrupts(exitNow: (code: number, why: 'bound' | 'second signal') => void, boundMs = INTERRUPT_BOUND_MS, proc: NodeJS.Process = process): InterruptWatch {
  const controller = new AbortController();
  let first: InterruptSignal | null = null;
  let bound: NodeJS.Timeout | undefined;
  const on = (sig: InterruptSignal) => (): void => {
    if (first) {
      exitNow(INTERRUPT_EXIT_CODES[first], 'second signal');
      return;
    }
    first = sig;
    bound = setTimeout(() => exitNow(INTERRUPT_EXIT_CODES[sig], 'bound'), boundMs);
    const request: StopRequest = { by: 'signal', signal: sig };
    controller.abort(request);
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  proc.on('SIGINT', onInt);
  proc.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      clearTimeout(bound);
      proc.removeListener('SIGINT', onInt);
      proc.removeListener('SIGTERM', onTerm);
    },
  };
}

/** The signal a stopped run was stopped by, from its abort reason. */
export function interruptOf(signal: AbortSignal | undefined): InterruptSignal | null {
  if (!signal?.aborted) return null;
  const reason = signal.reason as Partial<StopRequest> | undefined;
  return reason?.signal === 'SIGINT' || reason?.signal === 'SIGTERM' ? reason.signal : null;
}
