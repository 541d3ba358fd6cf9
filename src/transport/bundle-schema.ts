// A bundle's manifest is someone else's file (bundles are shared, that is what --redact is
// for): its shape is checked by a schema before anything reads a field of it. The topology
// is only required to be an object here; it goes through the inventory's own validation.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validateManifest as generated } from './bundle-manifest-validate.js';
import { STDERR_OUTPUT_CAP } from './output-cap.js';

/** More than any run records (100 realservers record ~2,000 entries). */
export const MAX_BUNDLE_ENTRIES = 50_000;
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

const TRANSPORT_ERROR_KINDS = ['unreachable', 'auth', 'host-key', 'timeout', 'invalid-argument', 'no-access', 'replay-miss', 'output-limit', 'internal'];

const entry = {
  type: 'object',
  required: ['ordinal', 'host', 'argv', 'exitCode', 'durationMs', 'stdoutFile', 'stderr'],
  properties: {
    ordinal: { type: 'integer', minimum: 0 },
    host: { type: 'string', minLength: 1, maxLength: 253 },
    argv: { type: 'array', minItems: 1, maxItems: 1024, items: { type: 'string', maxLength: 65_536 } },
    exitCode: { type: 'integer', minimum: -1, maximum: 255 },
    durationMs: { type: 'number', minimum: 0 },
    stdoutFile: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$', not: { enum: ['.', '..', 'manifest.json'] } },
    stderr: { type: 'string', maxLength: STDERR_OUTPUT_CAP.bytes },
    stopped: { type: 'boolean' },
    timedOut: { type: 'boolean' },
    transportError: {
      type: 'object',
      required: ['kind', 'message'],
      properties: { kind: { enum: TRANSPORT_ERROR_KINDS }, message: { type: 'string', maxLength: 65_536 } },
    },
  },
};

/**
 * The manifest's schema. Not compiled at run time: bundle-manifest-validate.ts is ajv's standalone
 * code for it, generated ahead (`npm run validator:update`), because importing ajv and generating
 * the code cost 0.1-0.25 s of every replay (BENCHMARKS.md, start-up);
 * test/transport/bundle-manifest-validate.test.ts fails when the two differ.
 */
export const MANIFEST_SCHEMA = {
  type: 'object',
  required: ['tool', 'schemaVersion', 'entries'],
  properties: {
    tool: { const: 'lvs-doctor' },
    toolVersion: { type: 'string', maxLength: 100 },
    schemaVersion: { type: 'integer' },
    createdAt: { type: 'string', maxLength: 100 },
    topology: { type: ['object', 'null'] },
    options: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    redacted: { type: 'boolean' },
    entries: { type: 'array', maxItems: MAX_BUNDLE_ENTRIES, items: entry },
  },
};

// The generated file is not type-checked (@ts-nocheck): it is ajv's ValidateFunction.
const validateManifest = generated as unknown as ValidateFunction;

/** Null when the manifest has the bundle's shape; else the first error, naming its field. */
export function manifestError(value: unknown): string | null {
  if (validateManifest(value)) return null;
  const [error] = validateManifest.errors ?? [];
  return error ? describeError(error) : 'not a bundle manifest';
}

function describeError(error: ErrorObject): string {
  // "/entries/3/argv" -> "entries[3].argv"
  const field = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(manifest)';
  return `${field} ${error.message ?? 'is invalid'}`;
}
