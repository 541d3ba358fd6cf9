// Ties a diagnosis to its baseline: captures each run's outputs (capture.ts), compares them with
// the baseline's when the run ends (the result gets `baseline`), and keeps an ok run as the
// site's last ok one when asked (store.ts). diagnose.ts only wraps its transport and its runs.
import type { RunEvent } from '../model/events.js';
import type { ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import type { Transport } from '../transport/transport.js';
import { CapturingTransport } from './capture.js';
import { compareStates, linkToDiagnoses } from './compare.js';
import type { LoadedBaseline } from './load.js';
import { statusOf } from '../report/baseline-words.js';
import { bundleState } from './state-facts.js';
import { saveLastOk } from './store.js';
import type { BaselineReport } from '../model/baseline.js';

export interface BaselineSessionOptions {
  topology: Topology;
  /** Or still being read (a live run's last ok one is read while the run waits on its hosts). */
  baseline: LoadedBaseline | null | Promise<LoadedBaseline | null>;
  /** Keep an ok run as this site's last ok one (--record / --keep-connections, not --redact). */
  keepOk: boolean;
  /** Said when keeping fails (a full disk must not fail the diagnosis). */
  warn: (message: string) => void;
}

export class BaselineSession {
  private capture: CapturingTransport | null = null;

  constructor(private readonly options: BaselineSessionOptions) {
    // Awaited when the run ends; a failure meanwhile must not count as unhandled.
    if (options.baseline instanceof Promise) options.baseline.catch(() => undefined);
  }

  get active(): boolean {
    return this.options.baseline !== null || this.options.keepOk;
  }

  wrap(transport: Transport): Transport {
    if (!this.active) return transport;
    this.capture = new CapturingTransport(transport, this.options.topology);
    return this.capture;
  }

  /** The run's events, its run-end result carrying `baseline` (and kept when ok). */
  async *run(events: AsyncGenerator<RunEvent, ResultDocument>): AsyncGenerator<RunEvent, ResultDocument> {
    const mark = this.capture?.mark() ?? 0;
    let last: ResultDocument | null = null;
    for (;;) {
      const next = await events.next();
      if (next.done) return last ?? next.value;
      const event = next.value;
      if (event.type === 'run-end') {
        last = await this.finish(event.result, mark);
        yield { ...event, result: last };
      } else {
        yield event;
      }
    }
  }

  private async finish(result: ResultDocument, mark: number): Promise<ResultDocument> {
    if (!this.capture) return result;
    const bundle = this.capture.bundleSince(mark, result.startedAt);
    this.capture.reset();
    const { keepOk, topology } = this.options;
    const baseline = await this.options.baseline;
    let out = result;
    if (baseline) out = { ...result, baseline: await compareWith(baseline, bundle, result, topology) };
    if (keepOk && result.verdict === 'ok' && !result.interrupted) {
      await saveLastOk(topology, bundle, statusOf(result)).catch((error: Error) => this.options.warn(`could not keep this ok run as the baseline of later runs: ${error.message}`));
    }
    return out;
  }
}

export async function compareWith(baseline: LoadedBaseline, now: Parameters<typeof bundleState>[0], result: ResultDocument, topology: Topology): Promise<BaselineReport> {
  const { differences, compared, truncated } = compareStates(await bundleState(baseline.bundle), await bundleState(now));
  const roles = new Map([topology.director, topology.client, ...topology.realservers].map((h) => [h.name, h.role]));
  const age = (Date.parse(result.startedAt) - Date.parse(baseline.recordedAt)) / 1000;
  return {
    schemaVersion: 1,
    source: baseline.source,
    path: baseline.path,
    recordedAt: baseline.recordedAt,
    ageSeconds: Number.isFinite(age) ? Math.round(age) : null,
    previous: baseline.previous,
    compared,
    truncated,
    differences: linkToDiagnoses(differences, result.diagnoses, (h) => roles.get(h) ?? ''),
  };
}
