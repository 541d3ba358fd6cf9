// Running a command on a lab host: in its network, UTS and mount namespaces (those of its sshd).
import { readState } from './state.js';
import { execCommand, isAlive, type ExecResult } from './proc.js';
import { LabError } from './plan.js';
import { guestExec } from './guest.js';

export interface LabExecOptions {
  input?: string;
  timeoutMs?: number;
}

export async function labExec(prefix: string, host: string, argv: string[], opts: LabExecOptions = {}): Promise<ExecResult> {
  const state = readState(prefix);
  if (!state) throw new LabError(`no lab '${prefix}' is up`);
  const info = state.info.hosts.find((h) => h.name === host);
  if (!info) throw new LabError(`unknown lab host '${host}' (hosts: ${state.info.hosts.map((h) => h.name).join(', ')})`);
  if (argv.length === 0) throw new LabError('no command given');
  if (state.info.backend === 'ipvs') {
    // Inside the guest, through the lab's ControlMaster (hostname stays the guest's: sshd's UTS is its own).
    return guestExec(state, ['ip', 'netns', 'exec', info.netns, ...argv], { input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000, allowFailure: true });
  }
  const sshd = state.daemons.find((d) => d.host === host && d.kind === 'sshd');
  const enter =
    sshd && isAlive(sshd.pid)
      ? ['nsenter', '-t', String(sshd.pid), '-n', '-u', '-m', '--']
      : ['ip', 'netns', 'exec', info.netns];
  return execCommand([...enter, ...argv], { input: opts.input, timeoutMs: opts.timeoutMs ?? 30_000, allowFailure: true });
}
