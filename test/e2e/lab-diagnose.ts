// What the e2e lab tests share: a fresh lab per file, and `lvs-doctor lab diagnose --json` on it.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { labDown, labExec, labUp } from '../../src/lab/index.js';
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

/** The hosts whose dropped ICMP echo a working service must not be blamed for, the Q.1 check that pings them, and what it says. */
export const PINGS_DROPPED = [
  { host: 'rs1', check: 'q1.director-reaches-realservers', says: 'rs1 drops its pings but answered the test connection it forwarded' },
  { host: 'client', check: 'q1.realserver-pings-client', says: 'answered the test connection through the director: the return path works' },
] as const;

/** `run` while `host` drops the ICMP echo requests it gets (its firewall's INPUT), the rule removed after. */
export async function withEchoDropped<T>(prefix: string, host: string, run: () => Promise<T>): Promise<T> {
  const rule = ['INPUT', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'DROP'];
  const added = await labExec(prefix, host, ['iptables', '-I', ...rule]);
  expect(added.exitCode, added.stderr).toBe(0);
  try {
    return await run();
  } finally {
    await labExec(prefix, host, ['iptables', '-D', ...rule]);
  }
}

/**
 * realserver.unreachable diagnosed on a lab (the fault injected, one run made so that the
 * director's entry for the RIP has failed): for certain, with what the director did instead of
 * forwarding the SYN on the wire where the rewritten SYN should be: its unanswered ARP for rs1's
 * RIP, or the ICMP host unreachable it sends the client when that ARP gives up (a resolution an
 * earlier run started can fail during this one). The SYN does not wait for the director's ping
 * to that RIP (src/engine/before-connection.ts): a decision taken before the ARP's next request
 * is on the capture has neither.
 */
export function expectUnreachableFromArp(prefix: string, rip: string): void {
  const r = labDiagnose(prefix, []);
  expect(r.diagnoses[0], JSON.stringify(r.diagnoses.map((d) => [d.id, d.certainty]))).toMatchObject({ id: 'realserver.unreachable', certainty: 1 });
  const instead = r.hops.find((h) => h.name === 'in-rewritten')?.observations.flatMap((o) => o.instead ?? []) ?? [];
  const escaped = rip.replace(/\./g, '\\.');
  expect(instead.join('\n'), JSON.stringify(r.hops)).toMatch(new RegExp(`ARP, Request who-has ${escaped} tell|ICMP host-unreachable about tcp`));
}
