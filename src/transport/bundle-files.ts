// The filesystem side of a bundle. A recording holds unredacted rules, routes and captures,
// so it lives in a directory only its owner can open and is never written through a link a
// third party planted; a bundle read back is someone else's file, so every read is bounded.
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir } from 'node:fs/promises';

export const BUNDLE_DIR_MODE = 0o700;
export const BUNDLE_FILE_MODE = 0o600;

/** Refused --record directory: the run must not start (nothing was written). */
export class BundleDirError extends Error {
  override readonly name = 'BundleDirError';
}

/**
 * Makes `dir` ready to receive a bundle: created 0700 when absent; an existing one must be an
 * empty directory of ours (not a link), and is narrowed to 0700.
 */
export async function prepareBundleDir(dir: string): Promise<void> {
  const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new BundleDirError(`${dir}: ${error.message}`);
  });
  if (!info) {
    await mkdir(dir, { recursive: true, mode: BUNDLE_DIR_MODE }).catch((error: Error) => {
      throw new BundleDirError(`${dir}: cannot create: ${error.message}`);
    });
    // mkdir's mode is filtered by the umask; a parent created on the way keeps the umask's.
    await chmod(dir, BUNDLE_DIR_MODE);
    return;
  }
  if (info.isSymbolicLink()) throw new BundleDirError(`${dir} is a symbolic link: give a plain directory to record into`);
  if (!info.isDirectory()) throw new BundleDirError(`${dir} exists and is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new BundleDirError(`${dir} belongs to uid ${info.uid}, not to you (uid ${uid})`);
  const inside = await readdir(dir);
  if (inside.length > 0) throw new BundleDirError(`${dir} is not empty (${inside.length} entries): record into a new or empty directory`);
  await chmod(dir, BUNDLE_DIR_MODE);
}

/** Creates `path` (never an existing file, never through a link) with mode 0600. */
export async function writeExclusive(path: string, data: Uint8Array | string): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(path, flags, BUNDLE_FILE_MODE);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** Reads at most `maxBytes` of a regular file (no link followed); null when it is larger. */
export async function readBounded(path: string, maxBytes: number): Promise<Uint8Array | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > maxBytes) return null;
    // Read one byte past the bound: a file that grew since stat is still refused.
    const buffer = Buffer.alloc(info.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) return null;
      if (filled === buffer.length) break;
    }
    return filled > info.size ? null : new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
  } finally {
    await handle.close();
  }
}

/** Runs `work` over `items` with at most `limit` at a time (a bundle has thousands of files). */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
