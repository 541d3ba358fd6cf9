// The text handed to the remote login shell. The command runs under `timeout` so it dies on
// the host even if the doctor vanishes, and it reports its PID first so a stop can kill it.
import { shellJoin } from './quote.js';
import { PID_MARKER, timeoutSeconds } from './streams.js';

export interface RemoteCommandOptions {
  timeoutMs: number;
  sudo: boolean;
}

export function boundedArgv(argv: readonly string[], options: RemoteCommandOptions): string[] {
  const sudo = options.sudo ? ['sudo', '-n'] : [];
  // sudo outside timeout: a root timeout can still SIGKILL a root command after its grace.
  return [...sudo, 'timeout', '-k', '1', timeoutSeconds(options.timeoutMs), ...argv];
}

/**
 * Read by the login shell, which must be POSIX-like (sh, bash, dash, zsh, ksh, busybox): `$$`
 * is the shell's PID, and `exec` keeps it for the command, so killing it stops the command.
 * (Not wrapped in another `sh -c`: one exec less per probe is measurable on a busy host.)
 */
export function remoteCommand(argv: readonly string[], options: RemoteCommandOptions): string {
  if (argv.length === 0) throw new Error('empty argv');
  return `echo ${PID_MARKER} $$ >&2; exec ${shellJoin(boundedArgv(argv, options))}`;
}

/** The command that stops a remote command by the PID it reported. */
export function killArgv(pid: number): string[] {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`refusing to stop pid ${pid}`);
  return ['kill', '-TERM', String(pid)];
}

export function stopCommand(pid: number, sudo: boolean): string {
  return shellJoin([...(sudo ? ['sudo', '-n'] : []), ...killArgv(pid)]);
}
