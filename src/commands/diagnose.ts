// `lvs-doctor [diagnose]` and `lvs-doctor replay DIR`: run the check graph and show it through
// the face the user asked for (TUI on a terminal, text otherwise, or a machine format).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { CHECKS } from '../../checks/index.js';
import { join } from 'node:path';
import { parseInventory, readInventoryFile, InventoryError, InventoryFileError } from '../discover/inventory.js';
import { runDiagnosis } from '../engine/run.js';
import type { RunEvent } from '../model/events.js';
import { EXIT_CODES, type ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { REPORTERS, type Reporter } from '../report/reporters.js';
import { validateTopology, TopologyError } from '../discover/topology-check.js';
import { BundleError } from '../transport/bundle.js';
import { openReplay, ReplayTransport } from '../transport/replay.js';
import type { Transport } from '../transport/transport.js';
import { chooseFormat } from './format-choice.js';
import { OptionError, SSH_TUNING_OPTIONS, secondsOption, sshTuning, type SshTuning } from './ssh-options.js';
import { INTERRUPT_EXIT_CODES, interruptOf } from './interrupt.js';
import { applyAccessOverrides, checkAccessFlags, offLimitsNames, type AccessOverrides } from './access-flags.js';
import { EX_DATAERR, EX_NOINPUT, EX_OK, EX_USAGE, HELP, usageOf, wantsHelp } from './help.js';
import { echoValue } from '../util/names.js';
import { packageRoot } from '../util/package-root.js';
import type { CommandIO } from './io.js';
import { recordedTestConnection } from '../engine/probes-alongside.js';
import { FIX_OPTIONS, fixRequestOf } from './fix-options.js';
import { BaselineSession } from '../baseline/session.js';
import { BaselineError, openBaseline } from '../baseline/load.js';
import { findLastOk } from '../baseline/store.js';
import { escapeControls } from '../report/untrusted-text.js';

const OPTIONS = {
  inventory: { type: 'string', short: 'i' },
  director: { type: 'string' },
  client: { type: 'string' },
  vip: { type: 'string' },
  json: { type: 'boolean' },
  'json-stream': { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  'no-color': { type: 'boolean' },
  record: { type: 'string' },
  redact: { type: 'boolean' },
  'off-limits': { type: 'string' },
  ssh: { type: 'string' },
  'ssh-config': { type: 'string' },
  user: { type: 'string' },
  port: { type: 'string' },
  identity: { type: 'string' },
  jump: { type: 'string' },
  sudo: { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  deadline: { type: 'string' },
  'trace-drops': { type: 'boolean' },
  ...FIX_OPTIONS,
  baseline: { type: 'string' },
  'no-baseline': { type: 'boolean' },
  ...SSH_TUNING_OPTIONS,
} as const;

const DEFAULT_INVENTORIES = ['lvs-doctor.yaml', '~/.config/lvs-doctor/inventory.yaml'];
/** Shipped in the package (package.json files) for `lvs-doctor demo`. */
const SAMPLE_BUNDLE = 'fixtures/bundles/realserver.reply-route';
/** --deadline's default: a monitoring check (Nagios waits 60 s) still gets a report. */
export const DEFAULT_DEADLINE_S = 50;

export async function diagnoseCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = helpOrParse('diagnose', args, io);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let tuning: SshTuning;
  let overrides: AccessOverrides;
  let deadlineS: number;
  let fixRequest: ReturnType<typeof fixRequestOf>;
  try {
    if (parsed.positionals.length > 0) throw new OptionError(`unexpected argument '${echoValue(parsed.positionals[0])}'`);
    if (values.inventory !== undefined) {
      const discovering = (['director', 'client', 'vip'] as const).filter((f) => values[f] !== undefined);
      if (discovering.length > 0) throw new OptionError(`--${discovering[0]} is for discovery (no inventory); with --inventory, write it in the file`);
    }
    if (values.redact && !values.record) throw new OptionError('--redact goes with --record DIR');
    if (values.baseline !== undefined && values['no-baseline']) throw new OptionError('--baseline and --no-baseline contradict each other');
    tuning = sshTuning(values);
    overrides = checkAccessFlags(values);
    deadlineS = secondsOption('deadline', values.deadline, 1, 3600) ?? DEFAULT_DEADLINE_S;
    fixRequest = fixRequestOf(values);
  } catch (err) {
    io.err(`lvs-doctor: ${(err as Error).message}\n${usageOf('diagnose')}`);
    return EX_USAGE;
  }
  let topology: Topology;
  try {
    topology = await resolveTopology(values, overrides, io);
  } catch (err) {
    io.err(`lvs-doctor: ${(err as Error).message}\n`);
    return err instanceof InventoryError ? EX_DATAERR : err instanceof InventoryFileError ? EX_NOINPUT : EX_USAGE;
  }
  // Imported here, not at the top: a replay never loads the ssh transport (execa).
  const { liveTransport } = await import('./live-transport.js');
  const transport = await liveTransport(topology, values, tuning, io);
  if (typeof transport === 'number') return transport;
  if (fixRequest) {
    const { fixCommand } = await import('./fix.js');
    return fixCommand({ ...fixRequest, deadlineMs: deadlineS * 1000, traceDrops: Boolean(values['trace-drops']) }, transport, topology, io);
  }
  const session = await baselineSession(values, topology, 'live', io);
  if (typeof session === 'number') {
    await transport.close();
    return session;
  }
  return present(transport, topology, values, io, { mode: 'live', deadlineMs: deadlineS * 1000, session });
}

/** Only the output flags mean something for a recorded run; the rest would be silently ignored. */
const REPLAY_FLAGS = new Set(['json', 'json-stream', 'format', 'no-color', 'baseline']);

export const replayCommand = (args: string[], io: CommandIO): Promise<number> => offline('replay', args, io);
/** `lvs-doctor demo`: the sample bundle the package ships, replayed (the README's walkthrough). */
export const demoCommand = (args: string[], io: CommandIO): Promise<number> => offline('demo', args, io);

async function offline(command: 'replay' | 'demo', args: string[], io: CommandIO): Promise<number> {
  const parsed = helpOrParse(command, args, io);
  if (typeof parsed === 'number') return parsed;
  const { positionals } = parsed;
  const wanted = command === 'replay' ? 1 : 0;
  const stray = Object.keys(parsed.values).find((k) => !REPLAY_FLAGS.has(k));
  const problem =
    stray !== undefined ? `--${stray} has no meaning for a recorded run`
    : positionals.length > wanted ? `unexpected argument '${echoValue(positionals[wanted])}'`
    : positionals.length < wanted ? 'give the bundle directory'
    : undefined;
  if (problem) {
    io.err(`lvs-doctor ${command}: ${problem}\n${usageOf(command)}`);
    return EX_USAGE;
  }
  return replayBundle(command === 'replay' ? positionals[0] : join(packageRoot(), SAMPLE_BUNDLE), parsed.values, io);
}

async function replayBundle(dir: string, values: Values, io: CommandIO): Promise<number> {
  let replay;
  try {
    replay = await openReplay(dir);
  } catch (err) {
    io.err(`lvs-doctor replay: cannot open bundle ${dir}: ${(err as Error).message}\n`);
    return err instanceof BundleError ? EX_DATAERR : EX_NOINPUT;
  }
  if (!replay.topology) {
    io.err(`lvs-doctor replay: ${dir}/manifest.json has no topology\n`);
    return EX_DATAERR;
  }
  let topology: Topology;
  try {
    // The bundle is someone else's file: its topology is validated as an inventory is.
    topology = validateTopology(replay.topology, `${dir}/manifest.json`);
  } catch (err) {
    if (!(err instanceof TopologyError)) throw err;
    io.err(`lvs-doctor replay: ${err.message}\n`);
    return EX_DATAERR;
  }
  const session = await baselineSession(values, topology, 'replay', io);
  if (typeof session === 'number') return session;
  return present(replay, topology, values, io, { mode: 'replay', session });
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The parsed flags, or the exit code when that was --help (0) or a usage error (64). */
function helpOrParse(command: string, args: string[], io: CommandIO): { values: Values; positionals: string[] } | number {
  if (wantsHelp(args)) {
    io.out(`${HELP[command]}\n`);
    return EX_OK;
  }
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`lvs-doctor ${command}: ${(err as Error).message}\n${usageOf(command)}`);
    return EX_USAGE;
  }
}

async function resolveTopology(values: Values, overrides: AccessOverrides, io: CommandIO): Promise<Topology> {
  let topology: Topology;
  if (values.inventory) {
    topology = parseInventory(readInventoryFile(values.inventory), values.inventory).topology;
  } else if (values.director) {
    const { discoverForDiagnose } = await import('./discover.js');
    topology = await discoverForDiagnose(values, io);
  } else {
    // During an outage nobody wants to remember flags: a saved inventory is found by itself.
    const found = DEFAULT_INVENTORIES.map((f) => f.replace(/^~/, homedir())).find((f) => existsSync(f));
    if (!found) throw new Error(`no inventory: give --inventory FILE, or --director HOST to discover the rest, or save one as ${DEFAULT_INVENTORIES.join(' or ')} (lvs-doctor discover --director HOST > lvs-doctor.yaml)`);
    topology = parseInventory(readInventoryFile(found), found).topology;
  }
  // Discovery already wrote the flags into the targets it made; an inventory gets them on top.
  if (!values.director) topology = applyAccessOverrides(topology, overrides);
  const offLimits = offLimitsNames(values);
  const unknownName = offLimits.find((n) => !topology.realservers.some((rs) => rs.name === n));
  if (unknownName !== undefined) throw new OptionError(`--off-limits ${echoValue(unknownName)}: no realserver has that name (${topology.realservers.map((rs) => rs.name).join(', ') || 'none'})`);
  for (const rs of topology.realservers) if (offLimits.includes(rs.name)) rs.access = 'none';
  return topology;
}

/**
 * The baseline of this run: --baseline BUNDLE (refused: exit 65), else a live run's site's last
 * ok run from the state directory; and whether an ok run is kept as the next runs' baseline.
 */
async function baselineSession(values: Values, topology: Topology, mode: 'live' | 'replay', io: CommandIO): Promise<BaselineSession | number> {
  const keepOk = mode === 'live' && Boolean(values.record || values['keep-connections']) && !values.redact;
  const warn = (message: string): void => io.err(`lvs-doctor: ${escapeControls(message)}\n`);
  if (values.baseline !== undefined) {
    try {
      return new BaselineSession({ topology, baseline: await openBaseline(values.baseline, 'given', topology), keepOk, warn });
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      io.err(`lvs-doctor: ${escapeControls(err.message)}\n`);
      return EX_DATAERR;
    }
  }
  const kept = mode === 'live' && !values['no-baseline'] ? await findLastOk(topology) : null;
  if (!kept) return new BaselineSession({ topology, baseline: null, keepOk, warn });
  // Read while the run waits on its hosts: it is compared only when the run ends, and reading it
  // (every output file, the schema, the topology) took 20-160 ms before the first probe.
  const baseline = openBaseline(kept.path, 'last-ok', topology, kept.status).catch((err: unknown) => {
    if (!(err instanceof BaselineError)) throw err;
    // A kept run that no longer reads is no reason to fail today's diagnosis.
    warn(`the last ok run kept for this site is not used: ${err.message}`);
    return null;
  });
  return new BaselineSession({ topology, baseline, keepOk, warn });
}

async function present(transport: Transport, topology: Topology, values: Values, io: CommandIO, how: { mode: 'live' | 'replay'; deadlineMs?: number; session: BaselineSession }): Promise<number> {
  const format = chooseFormat(values, io);
  if (!format) return 64;
  const { mode, deadlineMs, session } = how;
  const reporter: Reporter = format === 'tui' ? {} : REPORTERS[format];
  // A replay reports when the bundle was recorded, not when it was replayed.
  const recordedAt = transport instanceof ReplayTransport ? transport.recordedAt : undefined;
  // A replay's captures (and drop traces) as its bundle was recorded; --trace-drops live.
  const recorded = transport instanceof ReplayTransport ? recordedTestConnection(transport) : {};
  const testConnection = { ...recorded, ...(values['trace-drops'] ? { traceDrops: true } : {}) };
  transport = session.wrap(transport);
  // An interrupt (io.interrupt) or the deadline stops the run: it still ends with a result,
  // marked interrupted, which is reported like any other before the transport closes.
  const run = (): AsyncGenerator<RunEvent, ResultDocument> =>
    session.run(runDiagnosis({
      transport, topology, checks: CHECKS, mode,
      ...(recordedAt ? { now: () => recordedAt } : {}),
      ...(io.interrupt ? { signal: io.interrupt } : {}),
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      testConnection,
    }));
  try {
    let result: ResultDocument | null = null;
    if (format === 'tui') {
      const { runTui } = await import('../ui/run-tui.js');
      const noColor = Boolean(values['no-color']);
      // A live run can apply a fix from the TUI (`f`), through this same transport.
      const fix = mode === 'live' ? (await import('./fix.js')).tuiFixer(transport, topology, io, deadlineMs) : undefined;
      result = await runTui(run(), { noColor, ...(mode === 'live' ? { rerun: run } : {}), ...(fix ? { fix } : {}) });
    } else {
      for await (const event of run()) {
        if (reporter.event) io.out(reporter.event(event));
        if (event.type === 'run-end') result = event.result;
      }
    }
    // Reported before the transport closes: an interrupted run has about a second in all.
    return result ? report(result, reporter, io) : 3;
  } finally {
    await transport.close();
  }
}

/** Prints the result through its reporter; the exit code (a signal's own when one stopped the run). */
function report(result: ResultDocument, reporter: Reporter, io: CommandIO): number {
  const stoppedBy = result.interrupted?.by === 'signal' ? interruptOf(io.interrupt) : null;
  const printed = reporter.result?.(result);
  if (printed) io.out(printed.text);
  // A reporter with its own codes (Nagios reads 0-3 only): an interrupted check is UNKNOWN, its line says why.
  if (printed?.exitCode !== undefined) return printed.exitCode;
  return stoppedBy ? INTERRUPT_EXIT_CODES[stoppedBy] : EXIT_CODES[result.verdict];
}
