// Several quick probes of one host in one ssh session: on a small machine each ssh command
// costs more in process start-up (local ssh, remote session and shell) than the probe itself.
// The script runs the commands one after the other, each under its own `timeout`, and frames
// each one's stdout, exit code and stderr with a random boundary the outputs cannot contain.
import { randomBytes } from 'node:crypto';
import { shellJoin } from './quote.js';
import { boundedArgv } from './remote-command.js';

export interface BatchItem {
  argv: readonly string[];
  timeoutMs: number;
  sudo: boolean;
}

export interface BatchItemResult {
  stdout: Uint8Array;
  stderr: string;
  exitCode: number;
}

export function newBoundary(): string {
  return `lvsd-${randomBytes(12).toString('hex')}`;
}

/** The text for the remote login shell (POSIX sh). Every argv element is quoted by shellJoin. */
export function batchScript(items: readonly BatchItem[], boundary: string): string {
  if (!/^lvsd-[0-9a-f]{24}$/.test(boundary)) throw new Error('bad batch boundary');
  const lines = [`B=${boundary}`, 'exec 3>&1'];
  items.forEach((item, i) => {
    const command = shellJoin(boundedArgv(item.argv, { timeoutMs: item.timeoutMs, sudo: item.sudo }));
    // stdout straight to the session (fd 3), stderr captured, then the exit code and stderr framed.
    lines.push(
      `printf '%s B ${i}\\n' "$B"`,
      `err=$( { ${command} ; } 2>&1 1>&3 3>&- ); rc=$?`,
      `printf '\\n%s E ${i} %s\\n' "$B" "$rc"`,
      `printf '%s\\n' "$err"`,
      `printf '%s X ${i}\\n' "$B"`,
    );
  });
  return lines.join('\n');
}

/** Splits the session's stdout into each item's result; an item whose frame is incomplete is null. */
export function splitBatchOutput(stdout: Uint8Array, boundary: string, count: number): (BatchItemResult | null)[] {
  const buf = Buffer.from(stdout.buffer, stdout.byteOffset, stdout.byteLength);
  const results: (BatchItemResult | null)[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const begin = Buffer.from(`${boundary} B ${i}\n`);
    const end = Buffer.from(`\n${boundary} E ${i} `);
    const close = Buffer.from(`${boundary} X ${i}\n`);
    const b = buf.indexOf(begin, from);
    const e = b < 0 ? -1 : buf.indexOf(end, b + begin.length);
    const rcEnd = e < 0 ? -1 : buf.indexOf(0x0a, e + end.length);
    const x = rcEnd < 0 ? -1 : buf.indexOf(close, rcEnd + 1);
    if (x < 0) {
      results.push(null);
      continue;
    }
    const exitCode = Number(buf.subarray(e + end.length, rcEnd).toString('ascii'));
    const stderrRaw = buf.subarray(rcEnd + 1, x).toString('utf8');
    const stderr = stderrRaw === '\n' ? '' : stderrRaw;
    results.push({ stdout: new Uint8Array(buf.subarray(b + begin.length, e)), stderr, exitCode: Number.isInteger(exitCode) ? exitCode : 255 });
    from = x + close.length;
  }
  return results;
}
