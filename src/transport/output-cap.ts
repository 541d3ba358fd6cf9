// How much of a command's output the doctor keeps. A host is not trusted to be sane: 96 MB of
// lines from one realserver once cost 3.3 GB, because every byte was kept, split into lines
// and parsed. Past its cap a command is stopped and its probe fails naming the cap; the rest
// of the diagnosis runs.

export interface OutputCap {
  bytes: number;
  /** Newline-terminated lines (Infinity for binary output: a pcap has no lines). */
  lines: number;
  /** Longest single line: one huge line would otherwise be copied whole into evidence. */
  lineBytes: number;
}

const MiB = 1024 * 1024;

/** A text probe's stdout: far beyond any real `ip`, `iptables-save`, `ipvsadm -Lnc` of an LVS director. */
export const TEXT_OUTPUT_CAP: OutputCap = { bytes: 16 * MiB, lines: 200_000, lineBytes: 1 * MiB };
/** stderr is read for messages only (and tcpdump's "listening on"). */
export const STDERR_OUTPUT_CAP: OutputCap = { bytes: 1 * MiB, lines: 10_000, lineBytes: 64 * 1024 };
/** A capture's pcap: 16 MiB is ~30,000 packets at the doctor's 512-byte snaplen. */
export const CAPTURE_OUTPUT_CAP: OutputCap = { bytes: 16 * MiB, lines: Infinity, lineBytes: Infinity };
/** The largest file a replayed bundle entry may have: the largest stdout any probe may keep. */
export const MAX_RECORDED_STDOUT = Math.max(TEXT_OUTPUT_CAP.bytes, CAPTURE_OUTPUT_CAP.bytes);

export function describeCap(cap: OutputCap): string {
  const parts = [`${formatBytes(cap.bytes)}`];
  if (Number.isFinite(cap.lines)) parts.push(`${cap.lines} lines`);
  if (Number.isFinite(cap.lineBytes)) parts.push(`${formatBytes(cap.lineBytes)} a line`);
  return parts.join(', ');
}

function formatBytes(n: number): string {
  if (n % MiB === 0) return `${n / MiB} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** The message of the probe failure: which stream, which cap. */
export function capMessage(stream: 'stdout' | 'stderr', cap: OutputCap, what: string): string {
  return `${stream} passed the output cap (${what} of ${describeCap(cap)}): the command was stopped and its output dropped`;
}

/** Counts a stream as it arrives; `push` says which bound a chunk broke, if any. */
export class OutputMeter {
  private bytes = 0;
  private lines = 0;
  private lineLength = 0;
  /** The bound broken first, once broken (nothing more is counted). */
  broken: string | null = null;

  constructor(readonly cap: OutputCap) {}

  push(chunk: Uint8Array): boolean {
    if (this.broken) return false;
    this.bytes += chunk.length;
    if (this.bytes > this.cap.bytes) return this.break('size');
    if (!Number.isFinite(this.cap.lines) && !Number.isFinite(this.cap.lineBytes)) return true;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) {
        this.lineLength += chunk.length - from;
        break;
      }
      this.lineLength += nl - from;
      if (this.lineLength > this.cap.lineBytes) return this.break('line length');
      this.lineLength = 0;
      if (++this.lines > this.cap.lines) return this.break('line count');
      from = nl + 1;
    }
    if (this.lineLength > this.cap.lineBytes) return this.break('line length');
    return true;
  }

  /** Checks a whole output at once (a recorded file being replayed). */
  static check(data: Uint8Array, cap: OutputCap): string | null {
    const meter = new OutputMeter(cap);
    meter.push(data);
    return meter.broken;
  }

  private break(what: string): false {
    this.broken = what;
    return false;
  }
}
