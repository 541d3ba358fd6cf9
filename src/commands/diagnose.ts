// `lvs-doctor [diagnose]` and `lvs-doctor replay DIR`: run the check graph and show it through
// the face the user asked for (TUI on a terminal, text otherwise, or a machine format).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { CHECKS } from '../../checks/index.js';
import { parseInventory, InventoryError } from '../discover/inventory.js';
import { runDiagnosis } from '../engine/run.js';
import type { RunEvent } from '../model/events.js';
import { EXIT_CODES, type ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { formatNagios } from '../report/nagios.js';
import { formatPrometheus } from '../report/prometheus.js';
import { formatText } from '../report/text.js';
import { toJson } from '../report/json.js';
import { jsonStreamLine } from '../report/json-stream.js';
import { validateTopology, TopologyError } from '../discover/topology-check.js';
import { BundleError } from '../transport/bundle.js';
import { BundleDirError, prepareBundleDir } from '../transport/bundle-files.js';
import { ByHostTransport } from '../transport/by-host.js';
import { createLocalTransport } from '../transport/local.js';
import { RecordingTransport } from '../transport/record.js';
import { openReplay } from '../transport/replay.js';
import { createSshTransport } from '../transport/ssh.js';
import type { Transport } from '../transport/transport.js';
import { chooseFormat } from './format-choice.js';
import { SSH_TUNING_OPTIONS, sshTuning, type SshTuning } from './ssh-options.js';
import type { CommandIO } from './io.js';

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
  ...SSH_TUNING_OPTIONS,
} as const;

const DEFAULT_INVENTORIES = ['lvs-doctor.yaml', '~/.config/lvs-doctor/inventory.yaml'];


export async function diagnoseCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parse(args, io);
  if (!parsed) return 64;
  const { values } = parsed;
  let tuning: SshTuning;
  try {
    tuning = sshTuning(values);
  } catch (err) {
    io.err(`lvs-doctor: ${(err as Error).message}\n`);
    return 64;
  }
  let topology: Topology;
  try {
    topology = await resolveTopology(values, io);
  } catch (err) {
    io.err(`lvs-doctor: ${(err as Error).message}\n`);
    return err instanceof InventoryError ? 65 : 64;
  }
  const ssh = createSshTransport({
    hosts: [topology.director, topology.client, ...topology.realservers],
    ...(values.ssh ? { sshPath: values.ssh } : {}),
    ...(values['accept-new-host-keys'] ? { acceptNewHostKeys: true } : {}),
    ...tuning,
  });
  let transport: Transport = new ByHostTransport([topology.director, topology.client, ...topology.realservers], ssh, createLocalTransport({ sudo: true }));
  if (values.record) {
    try {
      // Refused before any connection: nothing is recorded into a directory we do not own.
      await prepareBundleDir(values.record);
    } catch (err) {
      if (!(err instanceof BundleDirError)) throw err;
      io.err(`lvs-doctor: --record: ${err.message}\n`);
      return 64;
    }
    transport = new RecordingTransport(transport, { dir: values.record, topology, redact: Boolean(values.redact), runOptions: { offLimits: values['off-limits'] ?? '' } });
  }
  return present(transport, topology, values, io, 'live');
}

export async function replayCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parse(args, io);
  if (!parsed) return 64;
  const dir = parsed.positionals[0];
  if (!dir) {
    io.err('usage: lvs-doctor replay DIR [--json|--format F]\n');
    return 64;
  }
  let replay;
  try {
    replay = await openReplay(dir);
  } catch (err) {
    io.err(`lvs-doctor replay: cannot open bundle ${dir}: ${(err as Error).message}\n`);
    return err instanceof BundleError ? 65 : 66;
  }
  if (!replay.topology) {
    io.err(`lvs-doctor replay: ${dir}/manifest.json has no topology\n`);
    return 65;
  }
  let topology: Topology;
  try {
    // The bundle is someone else's file: its topology is validated as an inventory is.
    topology = validateTopology(replay.topology, `${dir}/manifest.json`);
  } catch (err) {
    if (!(err instanceof TopologyError)) throw err;
    io.err(`lvs-doctor replay: ${err.message}\n`);
    return 65;
  }
  return present(replay, topology, parsed.values, io, 'replay');
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function parse(args: string[], io: CommandIO): { values: Values; positionals: string[] } | null {
  try {
    const rest = args[0] === 'diagnose' ? args.slice(1) : args;
    return parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`lvs-doctor: ${(err as Error).message}\n`);
    return null;
  }
}

async function resolveTopology(values: Values, io: CommandIO): Promise<Topology> {
  let topology: Topology;
  if (values.inventory) {
    const text = readFileSync(values.inventory, 'utf8');
    topology = parseInventory(text, values.inventory).topology;
  } else if (values.director) {
    const { discoverForDiagnose } = await import('./discover.js');
    topology = await discoverForDiagnose(values, io);
  } else {
    // During an outage nobody wants to remember flags: a saved inventory is found by itself.
    const found = DEFAULT_INVENTORIES.map((f) => f.replace(/^~/, homedir())).find((f) => existsSync(f));
    if (!found) throw new Error(`no inventory: give --inventory FILE, or --director HOST to discover the rest, or save one as ${DEFAULT_INVENTORIES.join(' or ')} (lvs-doctor discover --director HOST > lvs-doctor.yaml)`);
    topology = parseInventory(readFileSync(found, 'utf8'), found).topology;
  }
  if (values['off-limits']) {
    const names = values['off-limits'].split(',').map((s) => s.trim()).filter(Boolean);
    for (const rs of topology.realservers) if (names.includes(rs.name)) rs.access = 'none';
  }
  return topology;
}

async function present(transport: Transport, topology: Topology, values: Values, io: CommandIO, mode: 'live' | 'replay'): Promise<number> {
  const format = chooseFormat(values, io);
  if (!format) return 64;
  const run = (): AsyncGenerator<RunEvent, ResultDocument> => runDiagnosis({ transport, topology, checks: CHECKS, mode });
  let result: ResultDocument | null = null;
  const stop = (): void => {
    // Ctrl-C: close the transport so remote captures are stopped before we go.
    void transport.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (format === 'tui') {
      const { runTui } = await import('../ui/run-tui.js');
      const noColor = Boolean(values['no-color']);
      result = await runTui(run(), { noColor, ...(mode === 'live' ? { rerun: run } : {}) });
    } else {
      for await (const event of run()) {
        if (format === 'json-stream') io.out(jsonStreamLine(event));
        if (event.type === 'run-end') result = event.result;
      }
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await transport.close();
  }
  if (!result) return 3;
  if (format === 'json') io.out(toJson(result));
  else if (format === 'text') io.out(formatText(result));
  else if (format === 'prometheus') io.out(formatPrometheus(result));
  else if (format === 'nagios') {
    const n = formatNagios(result);
    io.out(n.text.endsWith('\n') ? n.text : `${n.text}\n`);
    return n.exitCode;
  }
  return EXIT_CODES[result.verdict];
}
