// Several quick probes of one host in one ssh session: on a small machine each ssh command
// costs more in process start-up (local ssh, remote session and shell) than the probe itself.
// The commands run one after the other in one `sh`, and the whole session runs under one
// `timeout`: per command, the only process started is the command itself (a subshell to
// capture stderr and a `timeout` per command cost more than most probes here). Each command's
// stdout is framed on stdout and its stderr on stderr with a random boundary the outputs
// cannot contain; the two streams stay in order because the commands run in sequence.
import { randomBytes } from 'node:crypto';
import { HELD_STDERR, HELD_STDOUT, holdOutput } from './held-output.js';
import { shellJoin } from './quote.js';
import { boundedArgv } from './remote-command.js';
import { timeoutSeconds } from './streams.js';

export interface BatchItem {
  argv: readonly string[];
  timeoutMs: number;
  sudo: boolean;
  /** Mostly waits on the network (traceroute): the batch's last item may run beside the others (see besideLast). */
  beside?: boolean;
}

export interface BatchItemResult {
  stdout: Uint8Array;
  stderr: string;
  exitCode: number;
  /** The session's bound fired while this command ran: what it wrote so far, exit 124. */
  timedOut?: boolean;
  /** This command's output passed the cap (see output-cap.ts): the message naming it. */
  overflow?: string;
}

/** The session was stopped at the output cap: the command it was running is the one that passed it. */
export function markOverflow(parts: (BatchItemResult | null)[], message: string): (BatchItemResult | null)[] {
  return parts.map((p) => (p?.timedOut ? { stdout: new Uint8Array(), stderr: '', exitCode: 124, overflow: message } : p));
}

export function newBoundary(): string {
  return `lvsd-${randomBytes(12).toString('hex')}`;
}

/** The session's bound: the longest command's own (a quick read that hangs stops the rest). */
export function batchBoundMs(items: readonly BatchItem[]): number {
  return Math.max(...items.map((i) => i.timeoutMs));
}

/** At most this many items of a batch run beside the others (each is one more process at once on the host). */
export const MAX_BESIDE = 3;

/**
 * The batch's items in the order to send them: those that may run beside the others (at most
 * MAX_BESIDE, the last ones marked) go last, in their order (the frames are read in order, and
 * the ones beside are framed after the rest); the others run in sequence. A batch of nothing
 * but such items runs its first in turn: something has to.
 */
export function besideLast<T extends { item: BatchItem }>(runs: readonly T[]): T[] {
  const marked = runs.map((r, i) => (r.item.beside ? i : -1)).filter((i) => i >= 0);
  const chosen = new Set(marked.slice(-MAX_BESIDE));
  if (chosen.size === runs.length) chosen.delete(marked[0]);
  const unmark = (r: T): T => (r.item.beside ? { ...r, item: { ...r.item, beside: false } } : r);
  return [...runs.filter((_, i) => !chosen.has(i)).map(unmark), ...runs.filter((_, i) => chosen.has(i))];
}

/** A command line: a root command under sudo keeps its own timeout (the session's, not root, could not kill it). */
function commandLine(item: BatchItem): string {
  return shellJoin(item.sudo ? boundedArgv(item.argv, { timeoutMs: item.timeoutMs, sudo: true }) : item.argv);
}

const framed = (i: number, body: string): string[] => [
  `printf '%s B ${i}\\n' "$B"; printf '%s B ${i}\\n' "$B" >&2`,
  body,
  `printf '\\n%s E ${i} %s\\n' "$B" "$rc"; printf '\\n%s E ${i}\\n' "$B" >&2`,
];

/**
 * The commands of a batch, framed, as one POSIX sh script. Every argv element is quoted by
 * shellJoin. The last items marked `beside` (see besideLast) run while the others do, as the
 * stages of a pipeline: the items in turn run on its left, writing their frames to the
 * session's stdout (fd 7) as usual, and say "go" down the pipe when done; each stage after
 * runs its item at once, its output held in variables (held-output.ts: nothing is written on
 * the host), and writes its frame once "go" has come from the stage before, then says "go" to
 * the next. The frames stay in order on both streams, and those in turn are read as they end.
 */
function batchBody(items: readonly BatchItem[], boundary: string): string {
  if (!/^lvsd-[0-9a-f]{24}$/.test(boundary)) throw new Error('bad batch boundary');
  if (items.length === 0) throw new Error('empty batch');
  let firstBeside = items.length;
  while (firstBeside > 1 && items[firstBeside - 1].beside === true) firstBeside--;
  const inTurn = items.slice(0, firstBeside);
  const beside = items.slice(firstBeside);
  const turnFrames = inTurn.flatMap((item, i) => framed(i, `${commandLine(item)}${beside.length > 0 ? ' 9>&-' : ''}; rc=$?`));
  if (beside.length === 0) return [`B=${boundary}`, ...turnFrames].join('\n');
  const stage = (item: BatchItem, i: number, last: boolean): string[] => [
    `${holdOutput(`${commandLine(item)} </dev/null${last ? '' : ' 9>&-'}`, 'rc')}; read -r _`,
    `printf '%s B ${i}\\n' "$B"; printf '%s B ${i}\\n' "$B" >&2`,
    `printf '%s' ${HELD_STDOUT}; printf '%s' ${HELD_STDERR} >&2`,
    `printf '\\n%s E ${i} %s\\n' "$B" "$rc"; printf '\\n%s E ${i}\\n' "$B" >&2`,
    ...(last ? [] : ["printf 'go\\n' >&9; } 9>&1 >&7 7>&- | {"]),
  ];
  return [
    `B=${boundary}`,
    'exec 7>&1',
    '{',
    ...turnFrames,
    "printf 'go\\n' >&9; } 9>&1 >&7 7>&- | {",
    ...beside.flatMap((item, k) => stage(item, firstBeside + k, k === beside.length - 1)),
    '} 7>&-',
  ].join('\n');
}

function boundedBody(items: readonly BatchItem[], boundary: string): string[] {
  return ['timeout', '-k', '1', timeoutSeconds(batchBoundMs(items)), 'sh', '-c', batchBody(items, boundary)];
}

/** The text for a fresh session's login shell: `exec`, so nothing of the batch outlives it. */
export function batchScript(items: readonly BatchItem[], boundary: string): string {
  return `exec ${shellJoin(boundedBody(items, boundary))}`;
}

/**
 * One line for a shell that stays open (a channel): the batch, its stdin closed so no command
 * can read the channel's next lines, then an end line on both streams.
 */
export function channelCommand(items: readonly BatchItem[], boundary: string): string {
  const end = `printf '%s END %s\\n' ${boundary} "$?"; printf '%s END\\n' ${boundary} >&2`;
  return `${shellJoin(boundedBody(items, boundary))} </dev/null; ${end}\n`;
}

/** Where a channel batch's end lines are, once both streams have them. */
export function channelEnd(stdout: Buffer, stderr: Buffer, boundary: string): { stdoutEnd: number; stderrEnd: number; exitCode: number } | null {
  const outMark = Buffer.from(`${boundary} END `);
  const o = stdout.lastIndexOf(outMark);
  if (o < 0) return null;
  const nl = stdout.indexOf(0x0a, o + outMark.length);
  if (nl < 0) return null;
  const e = stderr.lastIndexOf(Buffer.from(`${boundary} END\n`));
  if (e < 0) return null;
  const exitCode = Number(stdout.subarray(o + outMark.length, nl).toString('ascii'));
  return { stdoutEnd: o, stderrEnd: e, exitCode: Number.isInteger(exitCode) ? exitCode : 255 };
}

/** Item `i`'s frame read from `outFrom`/`errFrom` on: its result (timedOut when its end has not come), and where the next frame is looked for; null when it never started. */
export function readFrame(out: Buffer, err: Buffer, boundary: string, i: number, outFrom: number, errFrom: number): { result: BatchItemResult; outNext: number; errNext: number; ended: boolean } | null {
  const begin = Buffer.from(`${boundary} B ${i}\n`);
  const b = out.indexOf(begin, outFrom);
  if (b < 0) return null;
  const bodyStart = b + begin.length;
  const end = Buffer.from(`\n${boundary} E ${i} `);
  const e = out.indexOf(end, bodyStart);
  const rcEnd = e < 0 ? -1 : out.indexOf(0x0a, e + end.length);
  const eb = err.indexOf(begin, errFrom);
  const errStart = eb < 0 ? -1 : eb + begin.length;
  const errEnd = errStart < 0 ? -1 : err.indexOf(Buffer.from(`\n${boundary} E ${i}\n`), errStart);
  if (rcEnd < 0) {
    // Started, never finished: the session's bound stopped it (or it is still running).
    const partialErr = errStart < 0 ? '' : err.subarray(errStart, errEnd < 0 ? err.length : errEnd).toString('utf8');
    return { result: { stdout: new Uint8Array(out.subarray(bodyStart)), stderr: partialErr, exitCode: 124, timedOut: true }, outNext: out.length, errNext: errFrom, ended: false };
  }
  const exitCode = Number(out.subarray(e + end.length, rcEnd).toString('ascii'));
  const itemErr = errStart < 0 || errEnd < 0 ? '' : err.subarray(errStart, errEnd).toString('utf8');
  return {
    result: { stdout: new Uint8Array(out.subarray(bodyStart, e)), stderr: itemErr, exitCode: Number.isInteger(exitCode) ? exitCode : 255 },
    outNext: rcEnd + 1,
    errNext: errEnd >= 0 ? errEnd + 1 : errFrom,
    ended: errEnd >= 0,
  };
}

/**
 * Splits the session's output into each item's result: null for a command that never started
 * (run it again on its own), timedOut for the one the session's bound stopped.
 */
export function splitBatchOutput(stdout: Uint8Array, stderr: Uint8Array | string, boundary: string, count: number): (BatchItemResult | null)[] {
  const out = Buffer.from(stdout.buffer, stdout.byteOffset, stdout.byteLength);
  const err = typeof stderr === 'string' ? Buffer.from(stderr, 'utf8') : Buffer.from(stderr.buffer, stderr.byteOffset, stderr.byteLength);
  const results: (BatchItemResult | null)[] = [];
  let outFrom = 0;
  let errFrom = 0;
  for (let i = 0; i < count; i++) {
    const frame = readFrame(out, err, boundary, i, outFrom, errFrom);
    results.push(frame?.result ?? null);
    if (!frame) continue;
    outFrom = frame.outNext;
    errFrom = frame.errNext;
  }
  return results;
}
