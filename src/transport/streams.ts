// Reading a child's output the same way for ssh and local: stdout as raw bytes (pcaps),
// stderr as text delivered line by line as it arrives (tcpdump's "listening on").
import type { Readable } from 'node:stream';

/** The remote wrapper's first stderr line: the PID to kill when the run is stopped. */
export const PID_MARKER = 'lvs-doctor-pid';

export interface CollectedOutput {
  stdout: Promise<Uint8Array>;
  stderr: Promise<string>;
}

export function collectOutput(
  stdout: Readable | null,
  stderr: Readable | null,
  onStderrLine: ((line: string) => void) | undefined,
  onPid?: (pid: number) => void,
): CollectedOutput {
  const out = new Promise<Uint8Array>((resolve) => {
    const chunks: Buffer[] = [];
    if (!stdout) return resolve(new Uint8Array());
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    stdout.on('error', () => undefined);
    stdout.on('close', () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
  const err = new Promise<string>((resolve) => {
    if (!stderr) return resolve('');
    const kept: string[] = [];
    let partial = '';
    let pidSeen = onPid === undefined;
    const line = (text: string): void => {
      const marker = pidSeen ? null : new RegExp(`^${PID_MARKER} (\\d+)$`).exec(text);
      if (marker) {
        pidSeen = true;
        onPid?.(Number(marker[1]));
        return;
      }
      kept.push(text);
      onStderrLine?.(text);
    };
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      parts.forEach((p) => line(p.replace(/\r$/, '')));
    });
    stderr.on('error', () => undefined);
    stderr.on('close', () => {
      if (partial !== '') line(partial);
      resolve(kept.length ? `${kept.join('\n')}\n` : '');
    });
  });
  return { stdout: out, stderr: err };
}

/** Seconds for `timeout(1)`: at least 1, decimals allowed by coreutils. */
export function timeoutSeconds(timeoutMs: number): string {
  return String(Math.max(1, Math.ceil(timeoutMs / 100) / 10));
}

/** `timeout` exits 124 when it fired, 137 when its -k grace had to SIGKILL. */
export function exitMeansTimedOut(exitCode: number): boolean {
  return exitCode === 124 || exitCode === 137;
}
