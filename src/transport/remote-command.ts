// The text handed to the remote login shell. The command runs under `timeout` so it dies on
// the host even if the doctor vanishes, and it reports its PID first so a stop can kill it.
import { shellJoin, shellQuote } from './quote.js';
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

/** `exec sh -c '...'` so the same text works whatever the login shell is. */
export function remoteCommand(argv: readonly string[], options: RemoteCommandOptions): string {
  if (argv.length === 0) throw new Error('empty argv');
  const inner = `echo ${PID_MARKER} $$ >&2; exec ${shellJoin(boundedArgv(argv, options))}`;
  return `exec sh -c ${shellQuote(inner)}`;
}

export function stopCommand(pid: number, sudo: boolean): string {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`refusing to stop pid ${pid}`);
  return shellJoin([...(sudo ? ['sudo', '-n'] : []), 'kill', '-TERM', String(pid)]);
}
