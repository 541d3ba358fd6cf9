// Runs probes across hosts: all hosts in parallel under the pool's limits, each distinct
// (host, probe key) once, every outcome typed — one broken probe never sinks the run.
import { parseWith, parserRegistry } from '../parsers/index.js';
import { ParseError } from '../model/parse-error.js';
import { DEFAULT_LIMITS, Pool, type PoolLimits } from '../transport/pool.js';
import { QUICK_PER_SESSION, TransportError, type RunResult, type Transport, type TransportErrorKind } from '../transport/transport.js';
import { ownParsers, type UnameResult } from './own-parsers.js';
import type { ProbeCommand } from './probe.js';
import { uname } from './uname.js';

export interface ProbeRequest {
  host: string;
  /** A builder is called here so that a validation error stops this probe only. */
  probe: ProbeCommand | (() => ProbeCommand);
  /** What the outcome is called (the engine's catalog name); the probe's key by default. */
  name?: string;
  /** The realserver a per-realserver probe is about. */
  target?: string;
}

export type ProbeErrorKind = 'validation' | 'transport' | 'timeout' | 'stopped' | 'missing-tool' | 'exit' | 'no-parser' | 'parse';

export interface ProbeError {
  kind: ProbeErrorKind;
  message: string;
  transportKind?: TransportErrorKind;
  /** ParseError's line, for evidence. */
  line?: number;
}

/** What checks make of a failure: no answer, an unreadable one, a refused value, or not applicable. */
export type ProbeFailure = 'transport' | 'parse' | 'validation' | 'skipped';

interface OutcomeBase {
  host: string;
  /** The request's name (the engine's catalog name, or the probe's key). */
  probe: string;
  target?: string;
  /** The command line as run (the name, when the builder refused its values). */
  command: string;
  /** The command as built; absent only when the builder itself failed validation. */
  spec?: ProbeCommand;
  raw?: RunResult;
}

/** One probe's outcome: what the runner returns and what the checks read (src/facts/facts.ts). */
export type ProbeOutcome<T = unknown> =
  | (OutcomeBase & {
      ok: true;
      parsed: T;
      /** The text the parser read (stderr when a tool answers only there). */
      stdout: string;
      exitCode: number;
      /** Which stream the parser read. */
      readFrom?: 'stdout' | 'stderr';
    })
  | (OutcomeBase & {
      ok: false;
      failure: ProbeFailure;
      message: string;
      /** The runner's own words for it (absent for a skipped probe). */
      error?: ProbeError;
      /** A replay whose bundle (an older one) has no run of this probe. */
      notRecorded?: true;
    });

export type ParseFn = (parserId: string, data: Uint8Array) => Promise<unknown>;

export interface RunProbesOptions {
  limits?: PoolLimits;
  /** A pool shared with other runProbes calls (the engine's per-host first round); else one of `limits`. */
  pool?: Pool;
  /** Defaults to the parser registry, then the probe-owned parsers. */
  parse?: ParseFn;
  signal?: AbortSignal;
  /** Run `uname -s -r` on each host alongside, and skip linuxOnly probes where it is not Linux. */
  detectOs?: boolean;
  onOutcome?: (outcome: ProbeOutcome) => void;
}

const own = new Map(ownParsers.map((p) => [p.id, p]));

export function hasParser(id: string): boolean {
  return id in parserRegistry || own.has(id);
}

export const defaultParse: ParseFn = async (id, data) => {
  if (id in parserRegistry) return parseWith(id, data);
  const p = own.get(id);
  if (!p) throw new MissingParserError(id);
  return p.parse(Buffer.from(data).toString('utf8'));
};

class MissingParserError extends Error {
  constructor(readonly id: string) {
    super(`no parser '${id}' registered yet`);
  }
}

export async function runProbes(transport: Transport, requests: readonly ProbeRequest[], options: RunProbesOptions = {}): Promise<ProbeOutcome[]> {
  const pool = options.pool ?? new Pool(options.limits ?? DEFAULT_LIMITS);
  const parse = options.parse ?? defaultParse;
  const cache = new Map<string, Promise<ProbeOutcome>>();

  // The pool counts sessions, not probes: quick reads asked for in one turn of the event loop
  // take one slot per session they will share, so they start together and a transport can
  // batch them (8 probes on 8 slots would leave a ninth waiting for the whole batch).
  const groups = new Map<string, (() => Promise<void>)[]>();
  const inSharedSlot = (host: string, task: () => Promise<ProbeOutcome>): Promise<ProbeOutcome> =>
    new Promise((resolve, reject) => {
      const group = groups.get(host);
      const start = (): Promise<void> => task().then(resolve, reject);
      if (group && group.length < QUICK_PER_SESSION) {
        group.push(start);
        return;
      }
      const fresh = [start];
      groups.set(host, fresh);
      queueMicrotask(() => {
        if (groups.get(host) === fresh) groups.delete(host);
      });
      void pool.run(host, () => Promise.all(fresh.map((s) => s())));
    });

  const runOnce = (host: string, probe: ProbeCommand): Promise<ProbeOutcome> => {
    const id = `${host}\u0000${probe.key}`;
    let pending = cache.get(id);
    if (!pending) {
      const task = (): Promise<ProbeOutcome> => execute(transport, host, probe, parse, options.signal);
      pending = probe.quick ? inSharedSlot(host, task) : pool.run(host, task);
      cache.set(id, pending);
    }
    return pending;
  };

  const built = requests.map((r): { host: string; probe?: ProbeCommand; error?: ProbeError } => {
    try {
      return { host: r.host, probe: typeof r.probe === 'function' ? r.probe() : r.probe };
    } catch (error) {
      return { host: r.host, error: { kind: 'validation', message: (error as Error).message } };
    }
  });

  const osProbe = uname();
  const osByHost = new Map<string, Promise<ProbeOutcome>>();
  if (options.detectOs) {
    for (const host of new Set(built.map((b) => b.host))) osByHost.set(host, runOnce(host, osProbe));
  }

  return Promise.all(
    built.map(async (b, i) => {
      const { name, target } = requests[i]!;
      const named = { probe: name ?? b.probe?.key ?? 'probe', ...(target !== undefined ? { target } : {}) };
      let outcome: ProbeOutcome;
      if (!b.probe) {
        const error = b.error!;
        outcome = { host: b.host, ...named, command: named.probe, ok: false, failure: 'validation', message: error.message, error };
      } else {
        const shared = await runOnce(b.host, b.probe);
        outcome = { ...(await skipIfNotLinux(shared, b.probe, osByHost.get(b.host))), ...named };
      }
      options.onOutcome?.(outcome);
      return outcome;
    }),
  );
}

async function skipIfNotLinux(outcome: ProbeOutcome, probe: ProbeCommand, os: Promise<ProbeOutcome> | undefined): Promise<ProbeOutcome> {
  if (!probe.linuxOnly || !os) return outcome;
  const detected = await os;
  const parsed = detected.ok ? (detected.parsed as UnameResult | undefined) : undefined;
  if (!parsed || parsed.linux) return outcome;
  const { host, probe: name, command } = outcome;
  return { host, probe: name, command, spec: probe, ok: false, failure: 'skipped', message: `host runs ${parsed.system}, not Linux` };
}

/** The runner's error as a failure the checks read; a transport failure's message names its kind. */
function failed(base: OutcomeBase, error: ProbeError): ProbeOutcome {
  const failure: ProbeFailure = error.kind === 'parse' || error.kind === 'no-parser' ? 'parse' : error.kind === 'validation' ? 'validation' : 'transport';
  const message = error.transportKind ? `${error.transportKind}: ${error.message}` : error.message;
  return { ...base, ok: false, failure, message, error, ...(error.transportKind === 'replay-miss' ? { notRecorded: true as const } : {}) };
}

async function execute(transport: Transport, host: string, probe: ProbeCommand, parse: ParseFn, signal?: AbortSignal): Promise<ProbeOutcome> {
  const base: OutcomeBase = { host, probe: probe.key, command: probe.argv.join(' '), spec: probe };
  let raw: RunResult;
  // A run that was stopped starts nothing more (whatever the transport would do with the signal).
  if (signal?.aborted) return failed(base, { kind: 'stopped', message: `${probe.argv[0]} was not run: the run was stopped` });
  try {
    raw = await transport.run(host, probe.argv, { timeoutMs: probe.timeoutMs, needsRoot: probe.needsRoot, signal, ...(probe.quick ? { batch: true } : {}), ...(probe.quick && probe.besideOthers ? { besideOthers: true } : {}) });
  } catch (error) {
    if (error instanceof TransportError) {
      return failed(base, { kind: 'transport', transportKind: error.kind, message: error.message });
    }
    return failed(base, { kind: 'transport', transportKind: 'internal', message: (error as Error).message });
  }
  const fail = (error: ProbeError): ProbeOutcome => failed({ ...base, raw }, error);
  if (raw.stopped) return fail({ kind: 'stopped', message: `${probe.argv[0]} was stopped before it finished` });
  if (raw.timedOut) return fail({ kind: 'timeout', message: `${probe.argv[0]} did not finish within ${probe.timeoutMs} ms` });
  if (missingTool(raw)) return fail({ kind: 'missing-tool', message: `${probe.argv[0]} is not installed: ${firstLine(raw.stderr)}` });
  if (raw.exitCode !== 0 && !probe.acceptNonZeroExit) {
    return fail({ kind: 'exit', message: `${probe.argv[0]} exited ${raw.exitCode}: ${firstLine(raw.stderr)}` });
  }
  const ok = { ...base, raw, ok: true as const, exitCode: raw.exitCode };
  try {
    return { ...ok, readFrom: 'stdout', stdout: Buffer.from(raw.stdout).toString('utf8'), parsed: await parse(probe.parser, raw.stdout) };
  } catch (error) {
    const fromStderr = await parseStderrInstead(probe, raw, parse);
    if (fromStderr) return { ...ok, readFrom: 'stderr', stdout: raw.stderr, parsed: fromStderr.parsed };
    if (error instanceof MissingParserError) return fail({ kind: 'no-parser', message: error.message });
    if (error instanceof ParseError) return fail({ kind: 'parse', message: error.message, line: error.line });
    return fail({ kind: 'parse', message: (error as Error).message });
  }
}

/**
 * Some tools answer only on stderr (ip route get's "RTNETLINK answers: ..."): when stdout was empty
 * and could not be read, the parser reads stderr instead. Null when that does not read either.
 */
async function parseStderrInstead(probe: ProbeCommand, raw: RunResult, parse: ParseFn): Promise<{ parsed: unknown } | null> {
  if (raw.stdout.length !== 0 || raw.stderr.trim() === '' || !(probe.parser in parserRegistry)) return null;
  if (parserRegistry[probe.parser]!.kind !== 'text') return null;
  try {
    return { parsed: await parse(probe.parser, Buffer.from(raw.stderr, 'utf8')) };
  } catch {
    return null;
  }
}

function missingTool(raw: RunResult): boolean {
  return (raw.exitCode === 127 || raw.exitCode === 126) && /No such file|not found|failed to run command/.test(raw.stderr);
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'no message';
}
