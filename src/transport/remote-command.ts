// The text handed to the remote login shell. The command runs under `timeout` so it dies on
// the host even if the doctor vanishes, and it reports its PID first so a stop can kill it.
import { shellJoin } from './quote.js';
import { PID_MARKER, timeoutSeconds } from './streams.js';

export interface RemoteCommandOptions {
  timeoutMs: number;
  sudo: boolean;
  /** The command ends when the session's stdin closes (see STDIN_WATCH). */
  endsOnStdinClose?: boolean;
}

/**
 * Runs "$@" and ends it (SIGTERM, which tcpdump answers by writing what it has and its
 * counters) once the shell's stdin reaches its end: the doctor closes the session's stdin to
 * stop it, and a doctor that dies or a connection that drops closes it too, so no stop needs a
 * process of its own. The command itself never reads that stdin. Each line that comes before
 * the end asks the command for its counters: SIGINFO where the system has it, else SIGUSR1,
 * tcpdump's own choice (RunOptions.requestCountersAfter). The watcher is a subshell of
 * builtins (`read`, `kill`); when the command ends by itself the shell ends the watcher and
 * exits with the command's status. Both are in the shell's process group, which `timeout`
 * signals as a whole when the bound fires.
 */
export const STDIN_WATCH = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- & c=$!',
  '{ i=USR1; kill -l INFO && i=INFO; while read -r _ <&3; do kill -"$i" "$c"; done; kill -TERM "$c"; } >/dev/null 2>&1 & w=$!',
  'exec 3<&-',
  'wait "$c"; s=$?',
  'kill -TERM "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

export function boundedArgv(argv: readonly string[], options: RemoteCommandOptions): string[] {
  const sudo = options.sudo ? ['sudo', '-n'] : [];
  // The watcher runs under sudo with the command: its kill must reach a root tcpdump.
  const command = options.endsOnStdinClose ? ['sh', '-c', STDIN_WATCH, 'sh', ...argv] : argv;
  // sudo outside timeout: a root timeout can still SIGKILL a root command after its grace.
  return [...sudo, 'timeout', '-k', '1', timeoutSeconds(options.timeoutMs), ...command];
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
