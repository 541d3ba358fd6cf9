// Replays a recorded bundle through the whole check graph, offline: what `lvs-doctor replay`
// does, as a function for the scenario and golden tests.
import { CHECKS } from '../../checks/index.js';
import type { ResultDocument } from '../model/result.js';
import { openReplay } from '../transport/replay.js';
import { runDiagnosis } from '../engine/run.js';
import { recordedTestConnection } from '../engine/probes-alongside.js';

export async function replayBundle(dir: string): Promise<ResultDocument> {
  const transport = await openReplay(dir);
  const topology = transport.topology;
  if (!topology) throw new Error(`${dir}: the bundle's manifest has no topology`);
  let result: ResultDocument | null = null;
  try {
    const recordedAt = transport.recordedAt;
    for await (const event of runDiagnosis({ transport, topology, checks: CHECKS, mode: 'replay', testConnection: recordedTestConnection(transport), ...(recordedAt ? { now: () => recordedAt } : {}) })) {
      if (event.type === 'run-end') result = event.result;
    }
  } finally {
    await transport.close();
  }
  if (!result) throw new Error(`${dir}: the replay ended without a result`);
  return result;
}

/** The parts of a result that must not change between a run and its replay. */
export function diagnosisDigest(r: ResultDocument): unknown {
  return {
    verdict: r.verdict,
    diagnoses: r.diagnoses.map((d) => ({ id: d.id, severity: d.severity, hosts: d.hosts })),
    checks: r.checks.map((c) => ({ id: c.id, verdict: c.verdict, fault: c.fault ?? null })),
    hops: r.hops.map((h) => ({ index: h.index, status: h.status })),
  };
}
