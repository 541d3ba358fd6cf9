// Running a command on a lab host: in its network, UTS and mount namespaces (those of its sshd).
import { readState } from './state.js';
import { execCommand, isAlive, type ExecResult } from './proc.js';
import { LabError } from './plan.js';

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
  const sshd = state.daemons.find((d) => d.host === host && d.kind === 'sshd');
  const enter =
    sshd && isAlive(sshd.pid)
      ? ['nsenter', '-t', String(sshd.pid), '-n', '-u', '-m', '--']
      : ['ip', 'netns', 'exec', info.netns];
  return execCommand([...enter, ...argv], { input: opts.input, timeoutMs: opts.timeoutMs ?? 30_000, allowFailure: true });
}
