// What the real-IPVS suite uses to close issue 15's loop on the guest: `--fix ID --yes` and
// `lvs-doctor rollback` run as an operator runs them (from the lab's ops namespace, their own
// state directory), the refusal a diagnosis made on the guest gets, and the tracefs instances
// left in the guest's kernel.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labExec, readLabInfo } from '../../src/lab/index.js';
import { fwmarkInventory } from '../../src/lab/guest.js';
import { parseInventory, readInventoryFile } from '../../src/discover/inventory.js';
import { actionsOf } from '../../src/fix/plan.js';
import type { Diagnosis, ResultDocument } from '../../src/model/result.js';

const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');

export interface Ran {
  status: number | null;
  out: string;
}

/** A state directory of the suite's own: its fixes and their audits, apart from the operator's. */
export function fixEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LVS_DOCTOR_STATE_DIR: mkdtempSync(join(tmpdir(), 'lvs-doctor-ipvs-fix-')) };
}

/** `lvs-doctor lab diagnose --fix ID --yes` (the lab's inventory, its kept ssh masters). */
export function fixOnLab(prefix: string, env: NodeJS.ProcessEnv, id: string, flags: string[]): Ran {
  const r = spawnSync(process.execPath, [bin, 'lab', 'diagnose', '--prefix', prefix, ...flags, '--fix', id, '--yes'], { encoding: 'utf8', timeout: 300_000, env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `lvs-doctor rollback` from the lab's ops namespace, as an operator on the management host runs it. */
export function rollbackOnLab(prefix: string, env: NodeJS.ProcessEnv): Ran {
  const info = readLabInfo(prefix)!;
  const r = spawnSync('ip', ['netns', 'exec', info.opsNetns, process.execPath, bin, 'rollback'], { encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The refusal `--fix` gives the diagnosis before it reads or writes anything (null: it plans). */
export function refusalOf(prefix: string, d: Diagnosis, flags: string[]): string | null {
  const info = readLabInfo(prefix)!;
  const inventory = flags.includes('--onenet') ? info.inventoryOnenet : flags.includes('--fwmark') ? fwmarkInventory(info) : info.inventory;
  const { topology } = parseInventory(readInventoryFile(inventory), inventory);
  // `lab diagnose --director-only` puts every realserver off-limits.
  if (flags.includes('--director-only')) for (const rs of topology.realservers) rs.access = 'none';
  return actionsOf(d, topology).refused ?? null;
}

/** The lvsd-* tracefs instances of the guest's kernel (shared by all its namespaces). */
export async function guestTraceInstances(prefix: string): Promise<string[]> {
  const script = '[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing; ls /sys/kernel/tracing/instances';
  const r = await labExec(prefix, 'director', ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`cannot list the guest's tracefs instances: ${r.stderr}`);
  return r.stdout.split('\n').filter((n) => n.startsWith('lvsd-'));
}

/** A reading as a rollback must restore it: what changes by itself (counters, dates, module
 * use counts and addresses) is left out. */
export function stableReading(argv: string[], text: string): string {
  const lines = text.trim().split('\n');
  switch (argv[0]) {
    case 'iptables-save':
      return lines.filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n');
    case 'ipvsadm':
      // `  -> RIP:PORT  Forward Weight ActiveConn InActConn`: the connection counts move.
      return lines.map((l) => (l.startsWith('  -> ') ? l.trim().split(/\s+/).slice(0, 4).join(' ') : l)).join('\n');
    case 'cat':
      return lines.map((l) => l.split(' ')[0]).sort().join('\n');
    default:
      return lines.join('\n');
  }
}

/** Every reading the last fix saved for its rollback, and the same read again now. */
export async function readingsAgain(prefix: string, env: NodeJS.ProcessEnv): Promise<{ host: string; argv: string[]; saved: string; now: string }[]> {
  const record = JSON.parse(readFileSync(join(lastFixDir(env), 'fix.json'), 'utf8')) as { steps: { host: string; saved: { argv: string[]; output: string }[] }[] };
  const out = [];
  const seen = new Set<string>();
  for (const step of record.steps) {
    for (const s of step.saved) {
      // Every reading was taken before the first write: the same one twice is read again once.
      const key = JSON.stringify([step.host, s.argv]);
      if (seen.has(key)) continue;
      seen.add(key);
      const now = await labExec(prefix, step.host, s.argv);
      out.push({ host: step.host, argv: s.argv, saved: stableReading(s.argv, s.output), now: stableReading(s.argv, now.stdout) });
    }
  }
  return out;
}

/** The audit directory of the last fix in a state directory. */
export function lastFixDir(env: NodeJS.ProcessEnv): string {
  return readFileSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes', 'last'), 'utf8').trim();
}

/** The diagnosis that planned the last fix, replayed offline from its audit bundle (the first run in it). */
export function fixedFrom(env: NodeJS.ProcessEnv): ResultDocument {
  const r = spawnSync(process.execPath, [bin, 'replay', join(lastFixDir(env), 'audit'), '--json'], { encoding: 'utf8', timeout: 120_000 });
  if (!r.stdout.trim()) throw new Error(`replaying the fix's audit printed nothing (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ResultDocument;
}
