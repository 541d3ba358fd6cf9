// Concurrency bounds: a global cap and a per-host cap below sshd's MaxSessions (10 by default).

export interface PoolLimits {
  global: number;
  perHost: number;
}

/** 8 sessions per host leaves room under MaxSessions 10 for the stop commands of captures. */
export const DEFAULT_LIMITS: PoolLimits = { global: 32, perHost: 8 };

export class Pool {
  private active = 0;
  private readonly perHost = new Map<string, number>();
  private readonly waiting: { host: string; start: () => void }[] = [];

  constructor(private readonly limits: PoolLimits = DEFAULT_LIMITS) {
    if (limits.global < 1 || limits.perHost < 1) throw new Error('pool limits must be at least 1');
  }

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.waiting.push({ host, start });
      this.dispatch();
    });
    try {
      return await task();
    } finally {
      this.active--;
      this.perHost.set(host, (this.perHost.get(host) ?? 1) - 1);
      this.dispatch();
    }
  }

  private dispatch(): void {
    for (let i = 0; i < this.waiting.length && this.active < this.limits.global; ) {
      const w = this.waiting[i];
      const busy = this.perHost.get(w.host) ?? 0;
      if (busy >= this.limits.perHost) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.active++;
      this.perHost.set(w.host, busy + 1);
      w.start();
    }
  }
}
