// Each run keeps its ControlMaster sockets in a private directory named after its PID
// (lvsd-<pid>-XXXXXX). A run killed with -9 cannot remove its own: the next run removes the
// directories of PIDs that no longer run. What it removes is checked entry by entry, without
// following a link: only a real directory owned by this user, and in it only its own entries.
import { lstat, mkdtemp, open, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachLimited } from './bundle-files.js';

const PREFIX = 'lvsd-';
const RUN_DIR = /^lvsd-(\d+)-[A-Za-z0-9]{6}$/;

/** A fresh private directory (mkdtemp: 0700) named for this process. */
export async function makeRunSocketDir(parent: string, pid: number = process.pid): Promise<string> {
  return mkdtemp(join(parent, `${PREFIX}${pid}-`));
}

/** Is a process with this PID still there? (EPERM: it is, someone else's.) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweepOptions {
  uid?: number;
  alive?: (pid: number) => boolean;
}

/**
 * Removes the socket directories of runs that are gone; returns the paths removed. Never
 * throws: a directory it cannot check or empty is left where it is.
 */
export async function sweepStaleSocketDirs(parent: string, options: SweepOptions = {}): Promise<string[]> {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const alive = options.alive ?? pidAlive;
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = RUN_DIR.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const dir = join(parent, name);
    if (await removeOwnDir(dir, uid)) removed.push(dir);
  }
  return removed;
}

async function removeOwnDir(dir: string, uid: number): Promise<boolean> {
  try {
    const info = await lstat(dir);
    // A symlink (or anything not a directory), or another user's: not ours to touch.
    if (!info.isDirectory() || info.uid !== uid) return false;
    for (const entry of await readdir(dir)) {
      const path = join(dir, entry);
      const e = await lstat(path);
      if (e.uid !== uid) return false;
      // unlink removes a link itself, never what it points to, and refuses a directory (our
      // runs put only sockets and log files here): the directory then stays.
      await unlink(path);
    }
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * The PIDs of this user's ssh masters listening under `dir` (read from /proc: their command
 * line names the ControlPath), by ControlPath. Ending a master by signal costs no process,
 * where `ssh -O exit` costs one each: an interrupted run has about a second. Empty where
 * /proc cannot tell (the caller then asks ssh).
 */
export async function mastersUnder(dir: string, uid: number = process.getuid?.() ?? 0): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  await forEachLimited(pids, PROC_AT_ONCE, async (p) => {
    try {
      const info = await lstat(`/proc/${p}`);
      if (info.uid !== uid) return;
      const argv = (await readHead(`/proc/${p}/cmdline`, CMDLINE_MAX)).toString('utf8').split('\0');
      if (!argv.includes('ControlMaster=yes')) return;
      const path = argv.find((a) => a.startsWith(`ControlPath=${dir}/`));
      if (path) found.set(path.slice('ControlPath='.length), Number(p));
    } catch {
      // gone meanwhile
    }
  });
  return found;
}

/**
 * How much of a command line is read: a master of ours says its ControlPath among its first
 * few hundred bytes (ssh options, then the host).
 */
export const CMDLINE_MAX = 8 * 1024;
/**
 * /proc entries read at once. Read all together with fs.readFile, which gives a file of
 * unknown size (all of /proc) a 64 KiB buffer, the close of a run on the 100-realserver lab
 * (~1000 processes) took ~55 MiB of buffers at once (BENCHMARKS.md).
 */
const PROC_AT_ONCE = 32;

/** The first `max` bytes of a file, in a buffer of that size. */
export async function readHead(path: string, max: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(max);
    const { bytesRead } = await file.read(buffer, 0, max, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
