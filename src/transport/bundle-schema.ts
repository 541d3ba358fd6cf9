// A bundle's manifest is someone else's file (bundles are shared, that is what --redact is
// for): its shape is checked by a schema before anything reads a field of it. The topology
// is only required to be an object here; it goes through the inventory's own validation.
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
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

const manifest = {
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

// Loaded and compiled on the first bundle read, not at start-up: every run of the CLI imports
// this module, and ajv's import and code generation cost ~0.2 s of CPU (node --cpu-prof).
let compiled: ValidateFunction | null = null;
function validator(): ValidateFunction {
  if (!compiled) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    compiled = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(manifest);
  }
  return compiled;
}

/** Null when the manifest has the bundle's shape; else the first error, naming its field. */
export function manifestError(value: unknown): string | null {
  const validate = validator();
  if (validate(value)) return null;
  const [error] = validate.errors ?? [];
  return error ? describeError(error) : 'not a bundle manifest';
}

function describeError(error: ErrorObject): string {
  // "/entries/3/argv" -> "entries[3].argv"
  const field = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(manifest)';
  return `${field} ${error.message ?? 'is invalid'}`;
}
