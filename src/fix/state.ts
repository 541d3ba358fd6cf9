// Where an applied fix is remembered: $LVS_DOCTOR_STATE_DIR, else $XDG_STATE_HOME/lvs-doctor,
// else ~/.local/state/lvs-doctor (the XDG place for state that outlives a run). Each fix gets
// fixes/<time>-<id>/ with fix.json (the steps, what was saved, their rollbacks, the status) and
// the audit bundles (audit/, rollback/); fixes/last names the newest. Directories 0700, files
// 0600: the saved outputs are the hosts' routes and rules.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Topology } from '../model/topology.js';
import { escapeControls } from '../util/control-chars.js';
import type { FixStep, SetAside } from './plan.js';
import { stateDir } from '../util/state-dir.js';

export type FixStatus = 'applying' | 'verified' | 'unverified' | 'rolled-back' | 'rollback-failed';

export interface FixRecord {
  tool: 'lvs-doctor';
  kind: 'fix';
  id: string;
  check: string;
  createdAt: string;
  topology: Topology;
  steps: FixStep[];
  setAside: SetAside[];
  /** How many steps ran successfully (the rollback undoes these). */
  applied: number;
  status: FixStatus;
  verification?: string;
}


const fixesDir = (env: NodeJS.ProcessEnv): string => join(stateDir(env), 'fixes');

/** A new directory for one fix, named by time and fault id. */
export async function newFixDir(id: string, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<string> {
  const parent = fixesDir(env);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = join(parent, `${now.toISOString().replace(/[:.]/g, '-')}-${id.replace(/[^a-z0-9.-]/gi, '_')}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

export async function writeRecord(dir: string, record: FixRecord, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const tmp = join(dir, 'fix.json.tmp');
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, join(dir, 'fix.json'));
  await writeFile(join(fixesDir(env), 'last'), `${dir}\n`, { mode: 0o600 });
}

export class FixStateError extends Error {
  override readonly name = 'FixStateError';
}

/** The last fix recorded, with its directory; null when none was ever applied. */
export async function readLastRecord(env: NodeJS.ProcessEnv = process.env): Promise<{ dir: string; record: FixRecord } | null> {
  let dir: string;
  try {
    dir = (await readFile(join(fixesDir(env), 'last'), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let record: FixRecord;
  try {
    record = JSON.parse(await readFile(join(dir, 'fix.json'), 'utf8')) as FixRecord;
  } catch (err) {
    throw new FixStateError(`${dir}/fix.json: ${(err as Error).message}`);
  }
  if (record.tool !== 'lvs-doctor' || record.kind !== 'fix' || !Array.isArray(record.steps) || typeof record.applied !== 'number') throw new FixStateError(`${dir}/fix.json is not an lvs-doctor fix record`);
  return { dir, record };
}

/** Commands a saved rollback may run: the record is a file, checked before root runs it. */
const ROLLBACK_PROGRAMS = new Set(['sysctl', 'ip', 'iptables', 'nft', 'ipvsadm', 'modprobe']);

export function checkRecord(record: FixRecord): void {
  for (const step of record.steps) {
    const commands = step?.rollback?.commands;
    if (typeof step?.host !== 'string' || !Array.isArray(commands)) throw new FixStateError('a step of the fix record has no host or rollback');
    for (const argv of commands) {
      if (!Array.isArray(argv) || !ROLLBACK_PROGRAMS.has(argv[0]) || argv.some((a) => typeof a !== 'string' || escapeControls(a) !== a || a.includes('\0'))) {
        throw new FixStateError(`the fix record holds a rollback command lvs-doctor did not write: ${JSON.stringify(argv).slice(0, 120)}`);
      }
    }
  }
}
