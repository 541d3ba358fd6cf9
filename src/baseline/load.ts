// Opens a baseline bundle. It is someone else's file (--baseline) or an old one of ours (the
// state directory): read with replay's bounds (bundle.ts), its topology validated as an
// inventory, and refused when it is of another site (site.ts).
import { CHECKS } from '../../checks/index.js';
import { validateTopology } from '../discover/topology-check.js';
import { runDiagnosis } from '../engine/run.js';
import type { ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { readBundle, type Bundle } from '../transport/bundle.js';
import { ReplayTransport } from '../transport/replay.js';
import { recordedTestConnection } from '../engine/probes-alongside.js';
import { siteMismatch } from './site.js';
import type { BaselineReport, PreviousStatus } from '../model/baseline.js';
import { statusOf } from '../report/baseline-words.js';

/** A baseline that cannot be used: exit 65 with the message (given), or a note (last-ok). */
export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

export interface LoadedBaseline {
  source: BaselineReport['source'];
  path: string;
  bundle: Bundle;
  recordedAt: string;
  previous: PreviousStatus | null;
}

export async function openBaseline(path: string, source: BaselineReport['source'], topology: Topology, previous?: PreviousStatus | null): Promise<LoadedBaseline> {
  let bundle: Bundle;
  try {
    bundle = await readBundle(path);
  } catch (error) {
    throw new BaselineError(`cannot open baseline ${path}: ${(error as Error).message}`);
  }
  if (!bundle.manifest.topology) throw new BaselineError(`${path}/manifest.json has no topology: not a baseline of any site`);
  let theirs: Topology;
  try {
    theirs = validateTopology(bundle.manifest.topology, `${path}/manifest.json`);
  } catch (error) {
    throw new BaselineError((error as Error).message);
  }
  const mismatch = siteMismatch(theirs, topology);
  if (mismatch) throw new BaselineError(`${source === 'given' ? '--baseline' : 'the kept last ok run'} ${path}: ${mismatch}; give a bundle recorded (--record) on this site`);
  return { source, path, bundle, recordedAt: bundle.manifest.createdAt, previous: previous !== undefined ? previous : await replayedStatus(bundle, theirs) };
}

/** How the baseline's own run ended: replayed offline, as `lvs-doctor replay` would. */
async function replayedStatus(bundle: Bundle, topology: Topology): Promise<PreviousStatus | null> {
  const transport = new ReplayTransport(bundle);
  const at = transport.recordedAt;
  let result: ResultDocument | null = null;
  for await (const event of runDiagnosis({ transport, topology, checks: CHECKS, mode: 'replay', testConnection: recordedTestConnection(transport), ...(at ? { now: () => at } : {}) })) {
    if (event.type === 'run-end') result = event.result;
  }
  return result ? statusOf(result) : null;
}
