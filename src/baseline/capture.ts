// Keeps, in memory, what one run's probes answered, as a bundle: the run is compared with its
// baseline through the same readers as a recorded bundle, and a healthy run can be kept as the
// next runs' baseline. The TUI's `r` runs again over the same transport: each run is its own
// slice (since mark()).
import type { Topology } from '../model/topology.js';
import { TOOL_VERSION } from '../version.js';
import { BUNDLE_SCHEMA_VERSION, type Bundle, type BundleEntry } from '../transport/bundle.js';
import { runKept, runTogetherKept } from '../transport/record.js';
import type { RunOptions, RunResult, Transport, TransportError } from '../transport/transport.js';

export class CapturingTransport implements Transport {
  private ordinal = 0;
  private readonly entries: BundleEntry[] = [];
  private readonly files = new Map<string, Uint8Array>();

  constructor(
    private readonly inner: Transport,
    private readonly topology: Topology,
  ) {}

  prepare(hosts: readonly string[]): Promise<Map<string, TransportError | null>> {
    return this.inner.prepare ? this.inner.prepare(hosts) : Promise.resolve(new Map(hosts.map((h) => [h, null])));
  }

  run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    return runKept(this.inner, this.ordinal++, host, argv, options, (entry, stdout) => this.keep(entry, stdout));
  }

  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runTogetherKept(this.inner, argvs.map(() => this.ordinal++), host, argvs, options, (entry, stdout) => this.keep(entry, stdout));
  }

  private keep(entry: BundleEntry, stdout: Uint8Array): void {
    this.entries.push(entry);
    this.files.set(entry.stdoutFile, stdout);
  }

  /** Where the next run starts. */
  mark(): number {
    return this.entries.length;
  }

  /** The outputs since `mark` as a bundle recorded at `createdAt`. */
  bundleSince(mark: number, createdAt: string): Bundle {
    const entries = this.entries.slice(mark);
    const files = new Map(entries.map((e) => [e.stdoutFile, this.files.get(e.stdoutFile) ?? new Uint8Array()]));
    return {
      manifest: { tool: 'lvs-doctor', toolVersion: TOOL_VERSION, schemaVersion: BUNDLE_SCHEMA_VERSION, createdAt, topology: this.topology, options: {}, entries },
      files,
    };
  }

  /** Forgets what was kept: a finished run's outputs are not held while the next one runs. */
  reset(): void {
    this.entries.length = 0;
    this.files.clear();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
