// Masters kept open between runs (`--keep-connections SEC`): a monitoring check every minute,
// or the next run during an outage, then skips every handshake. Whoever can reach a master's
// socket can run commands as its remote user, so the directory must be the user's own and
// closed to everyone else; a socket is named by everything that selects the connection.
import { createHash } from 'node:crypto';
import { lstat, mkdir, rmdir, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshTarget } from '../model/topology.js';

/** A temporary directory short enough for Unix socket paths (~104 bytes at most). */
export function shortTmpdir(): string {
  return tmpdir().length > 40 ? '/tmp' : tmpdir();
}

/** Where the sockets live unless the caller says: the per-user runtime directory, else /tmp. */
export function defaultReuseDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): string {
  const runtime = env.XDG_RUNTIME_DIR;
  // A deep runtime directory would make the socket paths too long: /tmp then.
  if (runtime && runtime.length <= 60) return join(runtime, 'lvs-doctor');
  return join(shortTmpdir(), `lvs-doctor-${uid}`);
}

/** Creates the directory (0700) or checks an existing one: a real directory, ours, closed to others. */
export async function ensurePrivateDir(dir: string, uid: number = process.getuid?.() ?? 0): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory (a symlink?): refusing to keep ssh sockets there`);
  if (info.uid !== uid) throw new Error(`${dir} belongs to uid ${info.uid}, not to this user: refusing to keep ssh sockets there`);
  if ((info.mode & 0o077) !== 0) throw new Error(`${dir} is open to other users (mode ${(info.mode & 0o777).toString(8)}): chmod 700 it or choose another directory`);
}

/** One socket per connection identity: the same host through another config, user or jump is another master. */
export function sharedControlPath(dir: string, sshPath: string, target: SshTarget): string {
  const identity = JSON.stringify([sshPath, target.host, target.port ?? null, target.user ?? null, target.identityFile ?? null, target.jump ?? null, target.configFile ?? null]);
  return join(dir, `m-${createHash('sha256').update(identity).digest('hex').slice(0, 20)}`);
}

export interface OpenLockOptions {
  /** A lock older than this was left by a run that died while connecting. */
  staleMs: number;
  pollMs?: number;
}

/**
 * Runs `open` while holding `<path>.lock`, so that two runs starting together do not both
 * open a master on one socket (the loser's `ssh -N -f` would stay behind as a plain
 * connection). Whoever finds the master up, before or after taking the lock, opens nothing
 * and gets undefined; a run that finds the lock taken polls until the master is up or the lock
 * is gone (then it tries again).
 */
export async function withOpenLock<T>(path: string, open: () => Promise<T>, isUp: () => Promise<boolean>, options: OpenLockOptions): Promise<T | undefined> {
  const lock = `${path}.lock`;
  const pollMs = options.pollMs ?? 100;
  for (;;) {
    if (await tryMkdir(lock)) {
      try {
        // The run that held the lock before may have opened it meanwhile.
        return (await isUp()) ? undefined : await open();
      } finally {
        await rmdir(lock).catch(() => undefined);
      }
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => null);
    if (age !== null && age > options.staleMs) {
      await rmdir(lock).catch(() => undefined);
      continue;
    }
    if (await isUp()) return undefined;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function tryMkdir(path: string): Promise<boolean> {
  try {
    await mkdir(path, { mode: 0o700 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Whether something listens on a Unix socket: a master that a previous run left answers, and
 * finding that out costs no process (with 100 hosts, 100 `ssh -O check` runs cost a second).
 * false means only "not proven here": the caller asks ssh.
 */
export function socketAnswers(path: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
