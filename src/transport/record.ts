// Wraps any transport and keeps every run (bytes, stderr, exit, errors) for a bundle. The
// bundle is written on close(), redacted first when asked, so that nothing unredacted ever
// reaches the disk.
import type { Topology } from '../model/topology.js';
import { TOOL_VERSION } from '../version.js';
import { BUNDLE_SCHEMA_VERSION, stdoutFileName, writeBundle, type Bundle, type BundleEntry } from './bundle.js';
import { redactBundle } from './redact.js';
import { answersOrThrown, TransportError, type RunOptions, type RunResult, type Transport } from './transport.js';

export interface RecordOptions {
  dir: string;
  topology?: Topology;
  /** Only plain values are kept; anything else is dropped. */
  runOptions?: Record<string, unknown>;
  redact?: boolean;
}

const SECRET_OPTION = /key|identity|password|secret|token|env/i;

export class RecordingTransport implements Transport {
  private ordinal = 0;
  private readonly entries: BundleEntry[] = [];
  private readonly files = new Map<string, Uint8Array>();
  private readonly createdAt = new Date().toISOString();
  private written = false;

  /** Recording what a recording serves (a recorded session replayed through --fix): it holds what the inner one holds. */
  readonly recordedWith?: (word: string, host?: string) => boolean;

  constructor(
    private readonly inner: Transport,
    private readonly options: RecordOptions,
  ) {
    if (inner.recordedWith) this.recordedWith = (word, host) => inner.recordedWith!(word, host);
  }

  prepare(hosts: readonly string[]): Promise<Map<string, TransportError | null>> {
    return this.inner.prepare ? this.inner.prepare(hosts) : Promise.resolve(new Map(hosts.map((h) => [h, null])));
  }

  run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    return runKept(this.inner, this.ordinal++, host, argv, options, (entry, stdout) => this.keep(entry, stdout));
  }

  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runTogetherKept(this.inner, argvs.map(() => this.ordinal++), host, argvs, options, (entry, stdout) => this.keep(entry, stdout));
  }

  /** The bundle as it stands (redacted if asked). */
  bundle(): Bundle {
    const entries = [...this.entries].sort((a, b) => a.ordinal - b.ordinal);
    const bundle: Bundle = {
      manifest: {
        tool: 'lvs-doctor',
        toolVersion: TOOL_VERSION,
        schemaVersion: BUNDLE_SCHEMA_VERSION,
        createdAt: this.createdAt,
        topology: this.options.topology ?? null,
        options: plainOptions(this.options.runOptions ?? {}),
        entries,
      },
      files: new Map(this.files),
    };
    return this.options.redact ? redactBundle(bundle) : bundle;
  }

  async close(): Promise<void> {
    await this.inner.close();
    if (this.written) return;
    this.written = true;
    await writeBundle(this.options.dir, this.bundle());
  }

  private keep(entry: BundleEntry, stdout: Uint8Array): void {
    this.entries.push(entry);
    this.files.set(entry.stdoutFile, stdout);
  }
}

/**
 * Runs argv on host through `inner` and hands what happened to `keep` as a bundle entry with
 * its stdout: the same entry shape whether the run answered or threw (then rethrown), so every
 * transport that keeps runs (a --record bundle, the baseline's in-memory one) replays alike.
 */
export function runKept(inner: Transport, ordinal: number, host: string, argv: readonly string[], options: RunOptions, keep: (entry: BundleEntry, stdout: Uint8Array) => void): Promise<RunResult> {
  return kept(ordinal, host, argv, () => inner.run(host, argv, options), keep);
}

/**
 * runKept for commands run together (Transport.runTogether): each one its own entry, with
 * its own ordinal, exactly as if it had been run alone, so that a replay serves them alike.
 */
export function runTogetherKept(inner: Transport, ordinals: readonly number[], host: string, argvs: readonly (readonly string[])[], options: RunOptions, keep: (entry: BundleEntry, stdout: Uint8Array) => void): Promise<RunResult>[] {
  return answersOrThrown(argvs.length, () => inner.runTogether(host, argvs, options)).map((run, i) => kept(ordinals[i], host, argvs[i], () => run, keep));
}

async function kept(ordinal: number, host: string, argv: readonly string[], run: () => Promise<RunResult>, keep: (entry: BundleEntry, stdout: Uint8Array) => void): Promise<RunResult> {
  const base = { ordinal, host, argv: [...argv], stdoutFile: stdoutFileName(ordinal, host) };
  try {
    const result = await run();
    keep({ ...base, exitCode: result.exitCode, durationMs: result.durationMs, stderr: result.stderr, ...flags(result) }, result.stdout);
    return result;
  } catch (error) {
    const te = error instanceof TransportError ? error : new TransportError('internal', host, (error as Error).message);
    // The host is the entry's, not part of the message (replay adds it back).
    const message = te.message.startsWith(`${host}: `) ? te.message.slice(host.length + 2) : te.message;
    keep({ ...base, exitCode: -1, durationMs: 0, stderr: '', transportError: { kind: te.kind, message } }, new Uint8Array());
    throw error;
  }
}

function flags(result: RunResult): Pick<BundleEntry, 'stopped' | 'timedOut'> {
  return { ...(result.stopped ? { stopped: true } : {}), ...(result.timedOut ? { timedOut: true } : {}) };
}

function plainOptions(options: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(options)) {
    if (SECRET_OPTION.test(k)) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
