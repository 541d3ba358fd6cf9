// Reading a child's output the same way for ssh and local: stdout as raw bytes (pcaps),
// stderr as text delivered line by line as it arrives (tcpdump's "listening on").
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { capMessage, OutputMeter, STDERR_OUTPUT_CAP, TEXT_OUTPUT_CAP, type OutputCap } from './output-cap.js';

/** The remote wrapper's first stderr line: the PID to kill when the run is stopped. */
export const PID_MARKER = 'lvs-doctor-pid';
/** Longer than any PID line (the marker, a space, a PID): past a cap, more than this without a newline is not one. */
const PID_LINE_MAX = 64;

export interface CollectedOutput {
  stdout: Promise<Uint8Array>;
  stderr: Promise<string>;
  /** Why the output was cut (a cap passed), or null: the caller turns it into the probe's failure. */
  overflow(): string | null;
}

export interface OutputLimits {
  stdout?: OutputCap;
  stderr?: OutputCap;
  /** Called once, when a stream passes its cap: stop the command (nothing more is kept). */
  onOverflow: () => void;
  /** Each stdout chunk kept, as it arrives. */
  onStdoutChunk?: ((chunk: Uint8Array) => void) | undefined;
}

export function collectOutput(
  stdout: Readable | null,
  stderr: Readable | null,
  onStderrLine: ((line: string) => void) | undefined,
  onPid?: (pid: number) => void,
  limits?: OutputLimits,
): CollectedOutput {
  let overflow: string | null = null;
  const meter = (stream: 'stdout' | 'stderr', cap: OutputCap): ((chunk: Buffer) => boolean) => {
    const m = new OutputMeter(cap);
    return (chunk) => {
      if (overflow) return false;
      if (m.push(chunk)) return true;
      overflow = capMessage(stream, cap, m.broken ?? 'size');
      limits?.onOverflow();
      return false;
    };
  };
  const outFits = meter('stdout', limits?.stdout ?? TEXT_OUTPUT_CAP);
  const errFits = meter('stderr', limits?.stderr ?? STDERR_OUTPUT_CAP);
  const out = new Promise<Uint8Array>((resolve) => {
    // Past the cap nothing more is kept; what came before is (a batch's finished commands).
    const chunks: Buffer[] = [];
    if (!stdout) return resolve(new Uint8Array());
    stdout.on('data', (chunk: Buffer) => {
      if (!outFits(chunk)) return;
      chunks.push(chunk);
      limits?.onStdoutChunk?.(chunk);
    });
    stdout.on('error', () => undefined);
    stdout.on('close', () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
  const err = new Promise<string>((resolve) => {
    if (!stderr) return resolve('');
    const kept: string[] = [];
    let partial = '';
    let pidSeen = onPid === undefined;
    const pidLine = (text: string): boolean => {
      const marker = pidSeen ? null : new RegExp(`^${PID_MARKER} (\\d+)$`).exec(text);
      if (!marker) return false;
      pidSeen = true;
      onPid?.(Number(marker[1]));
      return true;
    };
    const line = (text: string): void => {
      if (pidLine(text)) return;
      kept.push(text);
      onStderrLine?.(text);
    };
    const decoder = new StringDecoder('utf8');
    stderr.on('data', (chunk: Buffer) => {
      const fits = errFits(chunk);
      // Past a cap nothing is kept, but the PID line is still looked for: a stop needs it to end
      // the command on the host (stdout can pass its cap before stderr's first line is read).
      if (!fits && pidSeen) return;
      const parts = (partial + decoder.write(chunk)).split('\n');
      partial = parts.pop() ?? '';
      parts.forEach((p) => (fits ? line : pidLine)(p.replace(/\r$/, '')));
      // Looking for it in a flood without newlines keeps no more than a PID line's worth of the
      // line's start: too long already, it can match nothing whatever follows.
      if (!fits && partial.length > PID_LINE_MAX) partial = partial.slice(0, PID_LINE_MAX + 1);
    });
    stderr.on('error', () => undefined);
    stderr.on('close', () => {
      partial += decoder.end();
      if (partial !== '' && !overflow) line(partial);
      resolve(kept.length ? `${kept.join('\n')}\n` : '');
    });
  });
  return { stdout: out, stderr: err, overflow: () => overflow };
}

/** Seconds for `timeout(1)`: at least 1, decimals allowed by coreutils. */
export function timeoutSeconds(timeoutMs: number): string {
  return String(Math.max(1, Math.ceil(timeoutMs / 100) / 10));
}

/** `timeout` exits 124 when it fired, 137 when its -k grace had to SIGKILL. */
export function exitMeansTimedOut(exitCode: number): boolean {
  return exitCode === 124 || exitCode === 137;
}
