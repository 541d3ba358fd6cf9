// A recorded run on disk: manifest.json plus one binary-safe stdout file per entry.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Topology } from '../model/topology.js';
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
}

export function stdoutFileName(ordinal: number, host: string): string {
  const safe = host.replace(/[^a-z0-9.-]+/gi, '_').toLowerCase().slice(0, 40);
  return `${String(ordinal).padStart(4, '0')}-${safe}.bin`;
}

export async function writeBundle(dir: string, bundle: Bundle): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all([...bundle.files].map(([name, bytes]) => writeFile(join(dir, name), bytes)));
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
}

export async function readBundle(dir: string): Promise<Bundle> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
  if (manifest.tool !== 'lvs-doctor' || manifest.schemaVersion !== BUNDLE_SCHEMA_VERSION || !Array.isArray(manifest.entries)) {
    throw new Error(`${dir}: not an lvs-doctor bundle of schema version ${BUNDLE_SCHEMA_VERSION}`);
  }
  const files = new Map<string, Uint8Array>();
  await Promise.all(
    manifest.entries.map(async (e) => {
      if (!/^[A-Za-z0-9._-]+$/.test(e.stdoutFile)) throw new Error(`${dir}: bad stdout file name ${e.stdoutFile}`);
      files.set(e.stdoutFile, new Uint8Array(await readFile(join(dir, e.stdoutFile))));
    }),
  );
  return { manifest, files };
}
