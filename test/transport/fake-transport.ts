// A scripted Transport for unit tests: answers by argv[0], counts concurrency, can fail.
import { runEachAlone, TransportError, type RunOptions, type RunResult, type Transport } from '../../src/transport/transport.js';

export type Answer = Partial<RunResult> & { stdoutText?: string; error?: TransportError; delayMs?: number };

export class FakeTransport implements Transport {
  readonly calls: { host: string; argv: string[]; options: RunOptions }[] = [];
  maxActive = 0;
  readonly maxActivePerHost = new Map<string, number>();
  private active = 0;
  private readonly activePerHost = new Map<string, number>();

  constructor(private readonly answer: (host: string, argv: readonly string[]) => Answer) {}

  async run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    this.calls.push({ host, argv: [...argv], options });
    this.active++;
    this.activePerHost.set(host, (this.activePerHost.get(host) ?? 0) + 1);
    this.maxActive = Math.max(this.maxActive, this.active);
    this.maxActivePerHost.set(host, Math.max(this.maxActivePerHost.get(host) ?? 0, this.activePerHost.get(host) ?? 0));
    try {
      const a = this.answer(host, argv);
      await new Promise((r) => setTimeout(r, a.delayMs ?? 5));
      if (a.error) throw a.error;
      for (const line of (a.stderr ?? '').split('\n').filter(Boolean)) options.onStderrLine?.(line);
      return {
        stdout: a.stdout ?? new Uint8Array(Buffer.from(a.stdoutText ?? '')),
        stderr: a.stderr ?? '',
        exitCode: a.exitCode ?? 0,
        durationMs: a.durationMs ?? 5,
        ...(a.stopped ? { stopped: true } : {}),
        ...(a.timedOut ? { timedOut: true } : {}),
      };
    } finally {
      this.active--;
      this.activePerHost.set(host, (this.activePerHost.get(host) ?? 1) - 1);
    }
  }

  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runEachAlone(this, host, argvs, options);
  }

  async close(): Promise<void> {}
}
