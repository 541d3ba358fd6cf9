// The state directory: the last ok run of each site, kept when a run records (--record) or
// keeps its connections (--keep-connections, i.e. it runs again and again) so that later runs
// can say what changed since. $LVS_DOCTOR_STATE_DIR, else $XDG_STATE_HOME/lvs-doctor, else
// ~/.local/state/lvs-doctor; inside, last-ok/<site key>/ is a bundle plus status.json. Only the
// last one per site is kept, and at most MAX_SITES sites (the oldest go first). Like a
// recording it holds unredacted routes and rules: directories 0700, files 0600.
import { join } from 'node:path';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { EXIT_CODES, type OverallVerdict } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { readBounded, writeExclusive } from '../transport/bundle-files.js';
import { writeBundle, type Bundle } from '../transport/bundle.js';
import { siteKey } from './site.js';
import type { PreviousStatus } from '../model/baseline.js';
import { stateDir } from '../util/state-dir.js';

export const MAX_SITES = 32;
const STATUS_FILE = 'status.json';
const MAX_STATUS_BYTES = 64 * 1024;


export function lastOkDir(topology: Topology, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'last-ok', siteKey(topology));
}

/** The kept last ok run of this site and its status, or null when there is none. */
export async function findLastOk(topology: Topology, env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; status: PreviousStatus | null } | null> {
  const path = lastOkDir(topology, env);
  const exists = await stat(join(path, 'manifest.json')).then(() => true, () => false);
  if (!exists) return null;
  return { path, status: await readStatus(path) };
}

async function readStatus(dir: string): Promise<PreviousStatus | null> {
  try {
    const bytes = await readBounded(join(dir, STATUS_FILE), MAX_STATUS_BYTES);
    if (!bytes) return null;
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<PreviousStatus>;
    const verdictOk = typeof value.verdict === 'string' && value.verdict in EXIT_CODES;
    if (!verdictOk || typeof value.summary !== 'string' || typeof value.at !== 'string' || !Array.isArray(value.diagnoses)) return null;
    const diagnoses = value.diagnoses.filter((d) => d && typeof d.id === 'string' && Array.isArray(d.hosts)).slice(0, 50).map((d) => ({ id: d.id, hosts: d.hosts.filter((h) => typeof h === 'string').slice(0, 50) }));
    return { verdict: value.verdict as OverallVerdict, summary: value.summary.slice(0, 1000), diagnoses, at: value.at.slice(0, 100) };
  } catch {
    return null;
  }
}

/** Replaces this site's last ok run by `bundle` (written aside, then renamed in place). */
export async function saveLastOk(topology: Topology, bundle: Bundle, status: PreviousStatus, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const final = lastOkDir(topology, env);
  const parent = join(stateDir(env), 'last-ok');
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const fresh = `${final}.new-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  await writeBundle(fresh, bundle);
  await writeExclusive(join(fresh, STATUS_FILE), `${JSON.stringify(status, null, 2)}\n`);
  const old = `${final}.old-${process.pid}`;
  await rename(final, old).catch(() => undefined);
  await rename(fresh, final);
  await rm(old, { recursive: true, force: true });
  await pruneSites(parent);
  return final;
}

async function pruneSites(parent: string): Promise<void> {
  const names = (await readdir(parent)).filter((n) => /^[0-9a-f]{16}$/.test(n));
  if (names.length <= MAX_SITES) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(parent, n))).mtimeMs })));
  dated.sort((a, b) => a.t - b.t);
  for (const { n } of dated.slice(0, dated.length - MAX_SITES)) await rm(join(parent, n), { recursive: true, force: true });
}
