// Several commands started at once in one remote session (Transport.runTogether): the test
// connections. On a small machine each session costs a local ssh, an sshd session, a login
// shell, a `timeout` and a watcher shell, more than the curl it carries; three connections in
// one session start two of each fewer. Each command keeps its own exit code, stdout and stderr:
// its subshell holds them until it ends and writes them as one frame, with a random boundary
// the outputs cannot contain, so frames of commands ending together cannot be mistaken.
import { HELD_STDERR, HELD_STDOUT, holdOutput } from './held-output.js';
import { shellJoin } from './quote.js';

/**
 * The POSIX sh script. Each command runs in a background subshell whose stdout and stderr are
 * held in variables (held-output.ts) and framed once it has ended. As in STDIN_WATCH (remote-command.ts) the end of the
 * session's stdin stops what still runs, with no process started for the stop: the watcher
 * signals the whole process group (the shell, the subshells and the commands in them, and the
 * `timeout` that leads the group), so no command outlives the stop. Without a stop the shell
 * waits for every command, ends the watcher and exits 0.
 */
export function togetherScript(argvs: readonly (readonly string[])[], boundary: string): string {
  if (!/^lvsd-[0-9a-f]{24}$/.test(boundary)) throw new Error('bad boundary');
  if (argvs.length === 0) throw new Error('nothing to run');
  const lines = ['exec 3<&0 </dev/null', `B=${boundary}`];
  argvs.forEach((argv, i) => {
    if (argv.length === 0) throw new Error('empty argv');
    lines.push(
      `{ ${holdOutput(shellJoin(argv), 'r')}; ` +
        `printf '%s O ${i}\\n%s\\n%s E ${i} %s\\n%s\\n%s Z ${i}\\n' "$B" ${HELD_STDOUT} "$B" "$r" ${HELD_STDERR} "$B"; } 3<&- & p${i}=$!`,
    );
  });
  lines.push(
    '{ read -r _ <&3; kill -TERM 0; } >/dev/null 2>&1 & w=$!',
    'exec 3<&-',
    argvs.map((_, i) => `wait "$p${i}"`).join('; '),
    'kill -TERM "$w" 2>/dev/null',
    'exit 0',
  );
  return lines.join('\n');
}

export interface TogetherFrame {
  index: number;
  stdout: Uint8Array;
  stderr: string;
  exitCode: number;
}

/** Reads the frames off the session's stdout as it grows; each frame is handed out once. */
export class TogetherFrames {
  private readonly taken: boolean[];
  private readonly mark: Buffer;

  constructor(
    private readonly boundary: string,
    count: number,
  ) {
    this.taken = Array.from({ length: count }, () => false);
    this.mark = Buffer.from(boundary);
  }

  /** The frames complete in `stdout` (all the session wrote so far) not handed out before; an Error for one that is garbled. */
  take(stdout: Buffer): (TogetherFrame | { index: number; error: Error })[] {
    const found: (TogetherFrame | { index: number; error: Error })[] = [];
    this.taken.forEach((taken, index) => {
      if (taken) return;
      const frame = this.frame(stdout, index);
      if (frame === null) return;
      this.taken[index] = true;
      found.push(frame);
    });
    return found;
  }

  private frame(stdout: Buffer, i: number): TogetherFrame | { index: number; error: Error } | null {
    const b = this.boundary;
    const open = Buffer.from(`${b} O ${i}\n`);
    const start = stdout.indexOf(open);
    if (start < 0) return null;
    const outStart = start + open.length;
    const exitMark = Buffer.from(`\n${b} E ${i} `);
    const e = stdout.indexOf(exitMark, outStart);
    if (e < 0) return null;
    const rcEnd = stdout.indexOf(0x0a, e + exitMark.length);
    if (rcEnd < 0) return null;
    const close = stdout.indexOf(Buffer.from(`\n${b} Z ${i}\n`), rcEnd + 1);
    if (close < 0) return null;
    const out = stdout.subarray(outStart, e);
    const err = stdout.subarray(rcEnd + 1, close);
    // The boundary inside a frame: frames that crossed (a write larger than a pipe's atomic one).
    if (out.includes(this.mark) || err.includes(this.mark)) return { index: i, error: new Error('its output crossed another command\'s in the shared session') };
    const exitCode = Number(stdout.subarray(e + exitMark.length, rcEnd).toString('ascii'));
    return { index: i, stdout: new Uint8Array(out), stderr: err.toString('utf8'), exitCode: Number.isInteger(exitCode) ? exitCode : 255 };
  }
}
