// What the e2e lab tests share: a fresh lab per file, and `lvs-doctor lab diagnose --json` on it.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { labDown, labUp } from '../../src/lab/index.js';
import { join } from 'node:path';
import type { ResultDocument } from '../../src/model/result.js';

const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');

export function labDiagnose(prefix: string, flags: string[]): ResultDocument {
  const r = spawnSync(process.execPath, [bin, 'lab', 'diagnose', '--prefix', prefix, '--json', ...flags], { encoding: 'utf8', timeout: 120_000 });
  if (!r.stdout.trim()) throw new Error(`lab diagnose printed nothing (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ResultDocument;
}

/** A fresh lab for the enclosing describe, brought down after it with nothing left behind. */
export function freshLab(prefix: string): void {
  beforeAll(async () => {
    await labDown(prefix).catch(() => undefined);
    await labUp({ prefix });
  }, 120_000);
  afterAll(async () => {
    const { leftovers } = await labDown(prefix);
    expect(leftovers).toEqual([]);
  }, 60_000);
}

/** The kernel's drop reason where the run made it evidence of the fault (--trace-drops). */
export function traceEvidence(r: ResultDocument, fault: string) {
  return r.diagnoses.find((d) => d.id === fault)?.evidence.find((e) => e.command.startsWith('tracefs instance lvsd-'));
}
