// Runs argv on this machine with node:child_process (never a shell), under the same
// `timeout -k 1` bound as a remote command so a child dies even if the doctor is killed.
import { spawn } from 'node:child_process';
import { handCountersOnDemand, stderrWithCounterRequest } from './counter-request.js';
import { boundedArgv } from './remote-command.js';
import { collectOutput, exitMeansTimedOut } from './streams.js';
import { runEachAlone, TransportError, type RunOptions, type RunResult, type Transport } from './transport.js';

export interface LocalTransportOptions {
  /** Prefix per host, e.g. ['ip', 'netns', 'exec', 'rs1'] in a namespace lab; [] by default. */
  hostPrefix?: (host: string) => readonly string[];
  /** Use `sudo -n` for needsRoot probes when not running as root. */
  sudo?: boolean;
}

export class LocalTransport implements Transport {
  private readonly running = new Set<AbortController>();

  constructor(private readonly options: LocalTransportOptions = {}) {}

  async run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    if (argv.length === 0) throw new TransportError('invalid-argument', host, 'empty argv');
    if (options.signal?.aborted) return { stdout: new Uint8Array(), stderr: '', exitCode: 130, durationMs: 0, stopped: true };
    const sudo = Boolean(options.needsRoot && this.options.sudo && process.getuid?.() !== 0);
    const byStdin = options.endsOnStdinClose === true;
    const full = [...(this.options.hostPrefix?.(host) ?? []), ...boundedArgv(argv, { timeoutMs: options.timeoutMs, sudo, endsOnStdinClose: byStdin })];
    const started = performance.now();
    // Stopped through its stdin as over ssh (STDIN_WATCH): the same watcher asks for counters.
    const child = spawn(full[0], full.slice(1), { stdio: [byStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    child.stdin?.on('error', () => undefined);
    const local = new AbortController();
    this.running.add(local);
    let stopped = false;
    const output = collectOutput(child.stdout, child.stderr, stderrWithCounterRequest(options, child.stdin), undefined, { stdout: options.outputCap, onOverflow: () => stop(), onStdoutChunk: options.onStdoutChunk });
    handCountersOnDemand(options, child.stdin);
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      // timeout(1) forwards TERM to the command's process group; KILL after a grace if that is ignored.
      const term = (): boolean => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM');
      if (byStdin) {
        child.stdin?.end();
        setTimeout(term, 2_000).unref();
        setTimeout(() => child.kill('SIGKILL'), 4_000).unref();
      } else {
        term();
        setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      }
    };
    options.signal?.addEventListener('abort', stop);
    local.signal.addEventListener('abort', stop);
    try {
      const exit = new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
      });
      let exitCode: number;
      try {
        exitCode = await exit;
      } catch (error) {
        throw new TransportError('internal', host, `cannot run ${full[0]}: ${(error as Error).message}`);
      }
      const [stdout, stderr] = await Promise.all([output.stdout, output.stderr]);
      const durationMs = Math.round(performance.now() - started);
      const overflow = output.overflow();
      if (overflow) throw new TransportError('output-limit', host, overflow);
      if (stopped) return { stdout, stderr, exitCode, durationMs, stopped: true };
      return { stdout, stderr, exitCode, durationMs, ...(exitMeansTimedOut(exitCode) ? { timedOut: true } : {}) };
    } finally {
      options.signal?.removeEventListener('abort', stop);
      this.running.delete(local);
    }
  }

  /** Each its own child: here a process costs no session. */
  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runEachAlone(this, host, argvs, options);
  }

  async close(): Promise<void> {
    for (const c of this.running) c.abort();
  }
}

export function createLocalTransport(options?: LocalTransportOptions): LocalTransport {
  return new LocalTransport(options);
}
