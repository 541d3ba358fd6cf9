// `lvs-doctor lab ...`: argument parsing and printing around the lab API. Never exits the process.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { HELP, usageOf, wantsHelp, EX_USAGE } from '../commands/help.js';
import { decimalInRange } from '../util/names.js';
import { packageRoot } from '../util/package-root.js';
import { labUp } from './up.js';
import { labDown } from './down.js';
import { labExec } from './exec.js';
import { injectFault, labFaults, revertFault } from './faults.js';
import { labStatus } from './status.js';
import { readLabInfo } from './state.js';
import { fwmarkInventory, guestSocketDir } from './guest.js';
import { LabError, MAX_REALSERVERS, validatePrefix, type NatBackend } from './plan.js';

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
  rest: string[];
}

/** Each subcommand's own options: one it does not take is a usage error, not silently ignored. */
const COMMAND_OPTIONS: Record<string, { values: string[]; flags: string[]; positionals: number }> = {
  up: { values: ['--prefix', '--realservers', '--nat', '--fault', '--target', '--variant'], flags: ['--ipvs'], positionals: 0 },
  down: { values: ['--prefix'], flags: [], positionals: 0 },
  status: { values: ['--prefix'], flags: ['--json'], positionals: 0 },
  faults: { values: [], flags: ['--json', '--ipvs', '--netns'], positionals: 0 },
  fault: { values: ['--prefix', '--target', '--variant', '--revert'], flags: [], positionals: 1 },
  exec: { values: ['--prefix'], flags: [], positionals: 1 },
};

function parse(args: string[], known: { values: string[]; flags: string[] }): Parsed {
  const parsed: Parsed = { positional: [], options: new Map(), rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.rest = args.slice(i + 1);
      break;
    }
    const [name, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    if (known.values.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      parsed.options.set(name, value);
    } else if (known.flags.includes(name)) {
      parsed.options.set(name, true);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      parsed.positional.push(arg);
    }
  }
  return parsed;
}

function str(p: Parsed, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

function prefixOf(p: Parsed): string {
  return checkedPrefix(str(p, '--prefix') ?? 'lvs');
}

/** A bad prefix is a usage error (64), not a lab failure. */
function checkedPrefix(prefix: string): string {
  try {
    validatePrefix(prefix);
  } catch (error) {
    if (error instanceof LabError) throw new UsageError(error.message);
    throw error;
  }
  return prefix;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function up(p: Parsed): Promise<number> {
  const prefix = prefixOf(p);
  const countText = str(p, '--realservers');
  const count = countText === undefined ? 3 : decimalInRange(countText, 1, MAX_REALSERVERS);
  if (count === undefined) throw new UsageError(`--realservers ${countText}: give a whole number from 1 to ${MAX_REALSERVERS}`);
  const natText = str(p, '--nat') ?? 'iptables';
  if (natText !== 'iptables' && natText !== 'nft') throw new UsageError(`--nat ${natText}: give iptables or nft`);
  const nat: NatBackend = natText;
  const ipvs = p.options.has('--ipvs');
  if (ipvs && str(p, '--nat')) throw new UsageError('--nat is for the netns lab; --ipvs balances with kernel IPVS');
  const started = Date.now();
  const info = await labUp({ prefix, realservers: count, nat, backend: ipvs ? 'ipvs' : 'netns', log: (line) => process.stderr.write(`${line}\n`) });
  const how = ipvs ? 'kernel IPVS in a qemu guest' : `NAT by ${nat}`;
  out(`lab '${prefix}' is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${info.realservers.length} realservers, ${how}`);
  out(`  VIP ${info.service.vip}:${info.service.vport}  client ${info.cip}  DIP ${info.dip}  director ${info.ext}/${info.int}`);
  out(`  inventory          ${info.inventory}`);
  out(`  one-network        ${info.inventoryOnenet}`);
  out(`  ssh config         ${info.sshConfig} (from netns ${info.opsNetns})`);
  out(`  ssh from here      ${info.sshWrapper} director`);
  out(`  next               lvs-doctor lab diagnose --prefix ${prefix}; lvs-doctor lab fault ID --prefix ${prefix}; lvs-doctor lab down --prefix ${prefix}`);
  const fault = str(p, '--fault');
  if (fault) {
    await injectFault(prefix, fault, { target: str(p, '--target'), variant: str(p, '--variant') });
    out(`fault ${fault} injected`);
  }
  return 0;
}

async function down(p: Parsed): Promise<number> {
  const prefix = prefixOf(p);
  const { leftovers } = await labDown(prefix);
  if (leftovers.length > 0) {
    process.stderr.write(`lvs-doctor lab: lab '${prefix}' left behind: ${leftovers.join('; ')}\n`);
    return 1;
  }
  out(`lab '${prefix}' is down; nothing left (namespaces, interfaces, processes, files)`);
  return 0;
}

async function status(p: Parsed): Promise<number> {
  const s = await labStatus(prefixOf(p));
  if (p.options.has('--json')) {
    out(JSON.stringify(s, null, 2));
  } else if (!s.up) {
    out(`lab '${s.prefix}' is not up`);
  } else {
    out(`lab '${s.prefix}' is up (${s.realservers} realservers, ${s.backend === 'ipvs' ? 'kernel IPVS in a qemu guest' : s.nat}), state in ${s.dir}`);
    out(`  faults: ${s.faults.length === 0 ? 'none' : s.faults.map((f) => `${f.id}${f.target ? ` on ${f.target}` : ''}${f.variant ? ` (${f.variant})` : ''}`).join(', ')}`);
    if (s.pinned) out(`  every connection is pinned to ${s.pinned}`);
    out(`  through the VIP: ${s.servedBy.map((x) => x ?? 'FAIL').join(' ')}`);
    out(`  ${s.healthy ? 'healthy' : `not healthy: ${s.reason}`}`);
    for (const d of s.deadDaemons) out(`  dead: ${d}`);
  }
  return s.up && s.healthy ? 0 : 1;
}

function faults(p: Parsed): number {
  if (p.options.has('--ipvs') && p.options.has('--netns')) throw new UsageError('give --ipvs or --netns, not both');
  const list = labFaults(p.options.has('--ipvs') ? 'ipvs' : p.options.has('--netns') ? 'netns' : undefined);
  if (p.options.has('--json')) {
    out(JSON.stringify(list, null, 2));
    return 0;
  }
  for (const f of list) {
    const target = f.targets === 'realserver' ? ` [--target rsN, default ${f.defaultTarget}]` : '';
    const variants = f.variants ? ` [--variant ${f.variants.join('|')}]` : '';
    const only = f.backends?.length === 1 ? (f.backends[0] === 'ipvs' ? ' [lab up --ipvs only]' : ' [netns lab only]') : '';
    out(`${f.id}${target}${variants}${f.onenet ? ' (one-network: inventory-onenet.yaml)' : ''}${f.fwmark ? ' (lab diagnose --fwmark)' : ''}${only}`);
    out(`  ${f.description}${f.pinsTarget ? ' While active, every connection goes to the target.' : ''}`);
    out(`  unlike IPVS: ${f.differsFromIpvs}`);
    if (f.ipvsForm) out(`  with --ipvs: ${f.ipvsForm}`);
  }
  return 0;
}

async function fault(p: Parsed): Promise<number> {
  const prefix = prefixOf(p);
  const revert = str(p, '--revert');
  if (revert) {
    if (p.positional.length > 1) throw new UsageError('fault --revert takes one fault id');
    await revertFault(prefix, revert);
    out(`fault ${revert} reverted in lab '${prefix}'`);
    return 0;
  }
  const id = p.positional[1];
  if (!id || p.positional.length > 2) throw new UsageError('fault needs exactly one fault id');
  await injectFault(prefix, id, { target: str(p, '--target'), variant: str(p, '--variant') });
  out(`fault ${id} injected in lab '${prefix}'`);
  return 0;
}

async function exec(p: Parsed): Promise<number> {
  const host = p.positional[1];
  if (!host || p.rest.length === 0) throw new UsageError('exec needs HOST -- CMD');
  const result = await labExec(prefixOf(p), host, p.rest, { timeoutMs: 24 * 3600 * 1000 });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

/** Pulls out the lab's own options; every other argument goes to `lvs-doctor diagnose` untouched. */
function splitDiagnoseArgs(args: string[]): { prefix: string; onenet: boolean; fwmark: boolean; directorOnly: boolean; pass: string[] } {
  let prefix = 'lvs';
  let onenet = false;
  let fwmark = false;
  let directorOnly = false;
  const pass: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--prefix') prefix = args[++i] ?? '';
    else if (arg.startsWith('--prefix=')) prefix = arg.slice('--prefix='.length);
    else if (arg === '--onenet') onenet = true;
    else if (arg === '--fwmark') fwmark = true;
    else if (arg === '--director-only') directorOnly = true;
    else pass.push(arg);
  }
  if (onenet && fwmark) throw new UsageError('give --onenet or --fwmark, not both');
  return { prefix: checkedPrefix(prefix), onenet, fwmark, directorOnly, pass };
}

async function diagnose(args: string[]): Promise<number> {
  const { prefix, onenet, fwmark, directorOnly, pass } = splitDiagnoseArgs(args);
  const info = readLabInfo(prefix);
  if (!info) throw new LabError(`no lab '${prefix}' is up`);
  const guest = info.backend === 'ipvs';
  if (fwmark && !guest) throw new UsageError('--fwmark is for the real-IPVS lab (lab up --ipvs)');
  const inventory = onenet ? info.inventoryOnenet : fwmark ? fwmarkInventory(info) : info.inventory;
  const given = (flag: string): boolean => pass.some((a) => a === flag || a.startsWith(`${flag}=`));
  // TCG is slow (a handshake about 1.2 s, far more under load): room for each handshake, and
  // one master per host kept in the lab's own directory across runs (lab down ends them).
  const guestTuning = guest
    ? [...(given('--connect-timeout') ? [] : ['--connect-timeout', '60']), ...(given('--keep-connections') ? [] : ['--keep-connections', '3600'])]
    : [];
  const argv = [
    'ip', 'netns', 'exec', info.opsNetns, process.execPath, join(packageRoot(), 'bin', 'lvs-doctor.js'),
    'diagnose', '--inventory', inventory,
    ...(directorOnly ? ['--off-limits', info.realservers.map((r) => r.name).join(',')] : []),
    ...guestTuning,
    ...pass,
  ];
  const env = guest && !process.env.LVS_DOCTOR_SOCKET_DIR ? { ...process.env, LVS_DOCTOR_SOCKET_DIR: guestSocketDir(info) } : process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
    // `ip netns exec` execs the doctor: a signal sent to this process is passed on, so that the
    // doctor stops its captures and reports (its output and exit code are ours). Ctrl-C on a
    // terminal reaches the doctor by itself (same process group): passed on too, it would be
    // a second one, which ends the doctor at once.
    const forward = (sig: NodeJS.Signals) => (): void => {
      if (sig === 'SIGINT' && process.stdin.isTTY) return;
      child.kill(sig);
    };
    const onTerm = forward('SIGTERM');
    const onInt = forward('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    const done = (): void => {
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
    };
    child.on('error', (e) => {
      done();
      reject(new LabError(`cannot run the doctor: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      done();
      resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
    });
  });
}

export async function runLabCli(args: string[]): Promise<number> {
  const command = args[0];
  const help = command === undefined || command === 'help' || command === '--help' || command === '-h' ? 'lab' : `lab ${command}`;
  try {
    if (help === 'lab' || wantsHelp(args.slice(1))) {
      if (!HELP[help]) throw new UsageError(`unknown lab command '${command}'`);
      // Bare `lab` is a usage error (scripts should name a command); asking for help is not.
      (command === undefined ? process.stderr : process.stdout).write(`${HELP[help]}\n`);
      return command === undefined ? EX_USAGE : 0;
    }
    if (command === 'diagnose') return await diagnose(args.slice(1));
    const known = COMMAND_OPTIONS[command];
    if (!known) throw new UsageError(`unknown lab command '${command}'`);
    const p = parse(args, known);
    if (p.positional.length - 1 > known.positionals) throw new UsageError(`unexpected argument '${p.positional[known.positionals + 1]}'`);
    if (p.rest.length > 0 && command !== 'exec') throw new UsageError(`'--' is for lab exec HOST -- CMD`);
    switch (command) {
      case 'up':
        return await up(p);
      case 'down':
        return await down(p);
      case 'status':
        return await status(p);
      case 'faults':
        return faults(p);
      case 'fault':
        return await fault(p);
      default:
        return await exec(p);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lvs-doctor lab: ${error.message}\n${HELP[help] ? usageOf(help) : usageOf('lab')}`);
      return EX_USAGE;
    }
    if (error instanceof LabError) {
      process.stderr.write(`lvs-doctor lab: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
