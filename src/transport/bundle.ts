// A recorded run on disk: manifest.json plus one binary-safe stdout file per entry.
import { join } from 'node:path';
import type { Topology } from '../model/topology.js';
import { forEachLimited, prepareBundleDir, readBounded, writeExclusive } from './bundle-files.js';
import { manifestError, MAX_MANIFEST_BYTES } from './bundle-schema.js';
import { MAX_RECORDED_STDOUT } from './output-cap.js';
import type { TransportErrorKind } from './transport.js';

export const BUNDLE_SCHEMA_VERSION = 1;

export interface BundleEntry {
  /** Order in which the run started, over the whole bundle. */
  ordinal: number;
  host: string;
  argv: string[];
  exitCode: number;
  durationMs: number;
  /** File name inside the bundle directory, e.g. "0007-rs1.bin". */
  stdoutFile: string;
  stderr: string;
  stopped?: boolean;
  timedOut?: boolean;
  /** The run failed in the transport; replay throws the same error. */
  transportError?: { kind: TransportErrorKind; message: string };
}

export interface BundleManifest {
  tool: 'lvs-doctor';
  toolVersion: string;
  schemaVersion: typeof BUNDLE_SCHEMA_VERSION;
  createdAt: string;
  /** Null when the recorder was not given one. */
  topology: Topology | null;
  /** Run options worth replaying with (never keys, never the environment). */
  options: Record<string, string | number | boolean>;
  redacted?: boolean;
  entries: BundleEntry[];
}

export interface Bundle {
  manifest: BundleManifest;
  /** stdoutFile -> bytes. */
  files: Map<string, Uint8Array>;
  /** Files larger than any probe may keep: not read; replaying their entry fails on the cap. */
  oversized?: Set<string>;
}

export function stdoutFileName(ordinal: number, host: string): string {
  const safe = host.replace(/[^a-z0-9.-]+/gi, '_').toLowerCase().slice(0, 40);
  return `${String(ordinal).padStart(4, '0')}-${safe}.bin`;
}

/** The files of a bundle in memory at once, at most (each is also capped, see output-cap.ts). */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** Files opened at once when reading or writing a bundle (200,000 at once ran out of descriptors). */
const FILE_CONCURRENCY = 8;

/** Writes into a new or empty directory of ours (see bundle-files.ts): 0700, files 0600, no link followed. */
export async function writeBundle(dir: string, bundle: Bundle): Promise<void> {
  await prepareBundleDir(dir);
  await forEachLimited([...bundle.files], FILE_CONCURRENCY, ([name, bytes]) => writeExclusive(join(dir, name), bytes));
  await writeExclusive(join(dir, 'manifest.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
}

export async function readBundle(dir: string): Promise<Bundle> {
  const text = await readBounded(join(dir, 'manifest.json'), MAX_MANIFEST_BYTES);
  if (!text) throw new BundleError(`${dir}/manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text).toString('utf8'));
  } catch (error) {
    throw new BundleError(`${dir}/manifest.json is not JSON: ${(error as Error).message}`);
  }
  const problem = manifestError(value);
  if (problem) throw new BundleError(`${dir}/manifest.json: ${problem}`);
  const manifest = value as BundleManifest;
  if (manifest.schemaVersion !== BUNDLE_SCHEMA_VERSION) {
    throw new BundleError(`${dir}: not an lvs-doctor bundle of schema version ${BUNDLE_SCHEMA_VERSION}`);
  }
  const files = new Map<string, Uint8Array>();
  const oversized = new Set<string>();
  let total = 0;
  const names = [...new Set(manifest.entries.map((e) => e.stdoutFile))];
  await forEachLimited(names, FILE_CONCURRENCY, async (name) => {
    const bytes = await readBounded(join(dir, name), MAX_RECORDED_STDOUT);
    if (!bytes) {
      oversized.add(name);
      return;
    }
    total += bytes.length;
    if (total > MAX_BUNDLE_BYTES) throw new BundleError(`${dir}: the recorded outputs pass ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB together`);
    files.set(name, bytes);
  });
  return { manifest, files, ...(oversized.size ? { oversized } : {}) };
}

/** A bundle that cannot be read as one (its shape, its size); exit 65 with the message. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}
