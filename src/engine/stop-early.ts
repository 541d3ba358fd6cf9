// A run that must stop before it finishes: the user's signal (Ctrl-C, SIGTERM) or its own
// --deadline. Both abort one signal that every probe, capture and connection listens to; the
// engine then reports what it has, marked interrupted.
import { setMaxListeners } from 'node:events';
import type { Interruption } from '../model/result.js';

/** What a caller aborts its signal with; anything else counts as a signal without a name. */
export interface StopRequest {
  by: 'signal';
  signal?: 'SIGINT' | 'SIGTERM';
}

export class RunStop {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onOuterAbort: () => void;
  private interruption: Interruption | undefined;

  constructor(
    private readonly outer: AbortSignal | undefined,
    deadlineMs: number | undefined,
    private readonly elapsedMs: () => number,
  ) {
    // Every probe, capture and connection of the run listens to the one signal.
    setMaxListeners(0, this.controller.signal);
    this.onOuterAbort = () => this.stopBy(fromRequest(this.outer?.reason, this.elapsedMs()));
    if (outer?.aborted) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    if (deadlineMs !== undefined && !this.aborted) {
      const seconds = Math.round(deadlineMs / 100) / 10;
      this.timer = setTimeout(() => this.stopBy({ by: 'deadline', deadlineS: seconds, message: `deadline of ${seconds} s reached: the run stopped there, what it had not decided is unknown` }), deadlineMs);
      // The bound must never be what keeps a finished process alive.
      this.timer.unref();
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Why the run stopped early, or undefined while it has not. */
  get reason(): Interruption | undefined {
    return this.interruption;
  }

  /** Resolves with `work` or, once the run is stopped, right away (what is still running ends on its own). */
  until<T>(work: Promise<T>): Promise<T | undefined> {
    if (this.aborted) {
      work.catch(() => undefined);
      return Promise.resolve(undefined);
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => resolve(undefined);
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => this.signal.removeEventListener('abort', onAbort));
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  private stopBy(interruption: Interruption): void {
    if (this.aborted) return;
    this.interruption = interruption;
    this.controller.abort(interruption);
  }
}

function fromRequest(reason: unknown, elapsedMs: number): Interruption {
  const request = reason as Partial<StopRequest> | undefined;
  const signal = request?.signal === 'SIGINT' || request?.signal === 'SIGTERM' ? request.signal : undefined;
  const after = `after ${(elapsedMs / 1000).toFixed(1)} s`;
  return {
    by: 'signal',
    ...(signal ? { signal } : {}),
    message: `interrupted${signal ? ` by ${signal}` : ''} ${after}: the run stopped there, what it had not decided is unknown`,
  };
}
