// Serves a recorded bundle; never touches the network. A miss is loud: it names the
// missing key and the nearest recorded one.
import type { Topology } from '../model/topology.js';
import { readBundle, type Bundle, type BundleEntry } from './bundle.js';
import { capMessage, OutputMeter, STDERR_OUTPUT_CAP, TEXT_OUTPUT_CAP } from './output-cap.js';
import { runEachAlone, TransportError, type RunOptions, type RunResult, type Transport } from './transport.js';

function keyOf(host: string, argv: readonly string[]): string {
  return `${host}\u0000${argv.join('\u0000')}`;
}

function describe(host: string, argv: readonly string[]): string {
  return `${host} ${JSON.stringify(argv)}`;
}

export class ReplayTransport implements Transport {
  private readonly byKey = new Map<string, BundleEntry[]>();
  private readonly served = new Map<string, number>();

  constructor(private readonly bundle: Bundle) {
    for (const e of [...bundle.manifest.entries].sort((a, b) => a.ordinal - b.ordinal)) {
      const k = keyOf(e.host, e.argv);
      this.byKey.set(k, [...(this.byKey.get(k) ?? []), e]);
    }
  }

  static async open(dir: string): Promise<ReplayTransport> {
    return new ReplayTransport(await readBundle(dir));
  }

  /** When the bundle was recorded (its manifest's createdAt): a replay reports that time, not its own. */
  get recordedAt(): Date | undefined {
    const at = new Date(this.bundle.manifest.createdAt);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }

  /** Whether some recorded run's argv (on `host`, when given) holds `word` (a bundle recorded with --trace-drops holds its script's). */
  recordedWith(word: string, host?: string): boolean {
    return this.bundle.manifest.entries.some((e) => (host === undefined || e.host === host) && e.argv.includes(word));
  }

  get topology(): Topology | null {
    return this.bundle.manifest.topology;
  }

  async prepare(hosts: readonly string[]): Promise<Map<string, TransportError | null>> {
    return new Map(hosts.map((h) => [h, null]));
  }

  async run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    const k = keyOf(host, argv);
    const n = this.served.get(k) ?? 0;
    const entry = this.byKey.get(k)?.[n];
    if (!entry) {
      const which = n === 0 ? '' : ` (call #${n + 1}; only ${n} recorded)`;
      throw new TransportError('replay-miss', host, `no recorded run of ${describe(host, argv)}${which}; nearest recorded: ${this.nearest(host, argv)}`);
    }
    this.served.set(k, n + 1);
    if (entry.transportError) throw new TransportError(entry.transportError.kind, host, entry.transportError.message);
    // A bundle is someone else's file: it is held to the caps a live run is held to.
    const cap = options.outputCap ?? TEXT_OUTPUT_CAP;
    if (this.bundle.oversized?.has(entry.stdoutFile)) throw new TransportError('output-limit', host, capMessage('stdout', cap, 'size'));
    const stdout = this.bundle.files.get(entry.stdoutFile);
    if (!stdout) throw new TransportError('internal', host, `bundle lacks ${entry.stdoutFile}`);
    const broken = OutputMeter.check(stdout, cap);
    if (broken) throw new TransportError('output-limit', host, capMessage('stdout', cap, broken));
    const brokenErr = OutputMeter.check(Buffer.from(entry.stderr, 'utf8'), STDERR_OUTPUT_CAP);
    if (brokenErr) throw new TransportError('output-limit', host, capMessage('stderr', STDERR_OUTPUT_CAP, brokenErr));
    const stderrLines = entry.stderr.split('\n');
    if (stderrLines[stderrLines.length - 1] === '') stderrLines.pop();
    stderrLines.forEach((line) => options.onStderrLine?.(line));
    // A capture read while it runs (the wire's decision) is given what was recorded, as a
    // live one is given its packets: the replayed run decides as the recorded one did,
    // instead of waiting out the bounds meant for a wire that may still speak.
    if (stdout.length > 0) options.onStdoutChunk?.(stdout);
    return {
      stdout,
      stderr: entry.stderr,
      exitCode: entry.exitCode,
      durationMs: entry.durationMs,
      ...(entry.stopped ? { stopped: true } : {}),
      ...(entry.timedOut ? { timedOut: true } : {}),
    };
  }

  /** Each from its own entry: a bundle holds commands run together as if each had run alone. */
  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runEachAlone(this, host, argvs, options);
  }

  async close(): Promise<void> {}

  private nearest(host: string, argv: readonly string[]): string {
    const wanted = `${host} ${argv.join(' ')}`;
    let best: BundleEntry | undefined;
    let bestDistance = Infinity;
    for (const e of this.bundle.manifest.entries) {
      const d = editDistance(wanted, `${e.host} ${e.argv.join(' ')}`);
      if (d < bestDistance) [best, bestDistance] = [e, d];
    }
    return best ? `${describe(best.host, best.argv)} (edit distance ${bestDistance})` : 'none (the bundle is empty)';
  }
}

export function editDistance(a: string, b: string): number {
  // Two rows reused: a replay that misses a probe measures it against every recorded entry.
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ai === b.charCodeAt(j - 1) ? 0 : 1));
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length];
}

export async function openReplay(dir: string): Promise<ReplayTransport> {
  return ReplayTransport.open(dir);
}
