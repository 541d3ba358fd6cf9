// A shell kept open on a host, over its master: batches of quick probes are written to its
// stdin one after the other, so a run starts no local process per batch. On a small machine
// each ssh started costs the doctor tens of milliseconds, blocked in spawn while every
// host's shells compete for the CPU: with a hundred realservers that was most of the run.
// Anything the channel cannot do (it closed, it never answered) is answered with null, and
// the caller runs that batch in a session of its own, as without a channel.
import type { Readable, Writable } from 'node:stream';
import { capMessage, OutputMeter, STDERR_OUTPUT_CAP, TEXT_OUTPUT_CAP, type OutputCap } from './output-cap.js';
import { batchBoundMs, channelCommand, channelEnd, markOverflow, newBoundary, readFrame, splitBatchOutput, type BatchItem, type BatchItemResult } from './ssh-batch.js';

/** The local ssh process that carries the channel (spawned by the ssh transport). */
export interface ChannelProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Settles when the process has exited. */
  exited: Promise<unknown>;
  kill(): void;
}

/** Called once per item, in order, as soon as its frame has ended on both streams. */
export type OnItem = (index: number, result: BatchItemResult) => void;

interface Job {
  items: readonly BatchItem[];
  boundary: string;
  command: string;
  resolve: (parts: (BatchItemResult | null)[] | null) => void;
  onItem?: OnItem;
  /** Items handed to onItem so far, and where the next one's frame is looked for on each stream. */
  delivered: number;
  outFrom: number;
  errFrom: number;
}

/** Bytes kept from the previous chunk, so an end line split across chunks is still seen. */
const TAIL_BYTES = 96;

class Collector {
  private chunks: Buffer[] = [];
  private tail = Buffer.alloc(0);
  private meter: OutputMeter;
  /** The end line may be here: worth a full look. */
  maybeEnded = false;
  /** An item's end line may have come with the last chunk. */
  frameEnded = false;

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly cap: OutputCap,
  ) {
    this.meter = new OutputMeter(cap);
  }

  /** Why this batch's output passed the cap (a batch of quick reads shares one command's), or null. */
  get overflow(): string | null {
    return this.meter.broken ? capMessage(this.stream, this.cap, this.meter.broken) : null;
  }

  /** False once past the cap: nothing more is kept (what came before is, for the finished commands). */
  push(chunk: Buffer, marker: Buffer, frameMarker: Buffer): boolean {
    if (!this.meter.push(chunk)) return false;
    this.chunks.push(chunk);
    const window = Buffer.concat([this.tail, chunk]);
    if (window.includes(marker)) this.maybeEnded = true;
    this.frameEnded = window.includes(frameMarker);
    this.tail = window.subarray(Math.max(0, window.length - TAIL_BYTES));
    return true;
  }

  all(): Buffer {
    const whole = Buffer.concat(this.chunks);
    this.chunks = [whole];
    return whole;
  }

  /** The bytes of output held (the chunks, and the window kept to find a marker across two). */
  get heldBytes(): number {
    return this.chunks.reduce((n, c) => n + c.buffer.byteLength, 0) + this.tail.buffer.byteLength;
  }

  reset(): void {
    this.chunks = [];
    this.tail = Buffer.alloc(0);
    this.maybeEnded = false;
    this.frameEnded = false;
    this.meter = new OutputMeter(this.cap);
  }
}

export class SshChannel {
  private readonly queue: Job[] = [];
  private current: Job | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly out = new Collector('stdout', TEXT_OUTPUT_CAP);
  private readonly err = new Collector('stderr', STDERR_OUTPUT_CAP);
  private dead = false;

  constructor(
    private readonly proc: ChannelProcess,
    /** Beyond the batch's own bound on the host, before the channel is given up. */
    private readonly graceMs: number,
  ) {
    proc.stdout.on('data', (chunk: Buffer) => this.received(this.out, chunk));
    proc.stderr.on('data', (chunk: Buffer) => this.received(this.err, chunk));
    proc.stdin.on('error', () => this.die(false));
    proc.exited.then(
      () => this.die(false),
      () => this.die(false),
    );
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** The memory the output collected so far holds (the buffers under it, whole). */
  get heldBytes(): number {
    return this.out.heldBytes + this.err.heldBytes;
  }

  /** Batches running or waiting here. */
  get pending(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  /**
   * Runs the batch after those already queued (`urgent`: before them, as a capture's stop).
   * Resolves with each item's result (null for one that did not start), or null when the
   * channel could not run the batch at all. A command whose output passed the cap has
   * `overflow` set (the channel is closed then, the commands after it are handed back as null).
   * `onItem` hears each item that ended as it ends (a batch's quick reads are not held up by
   * an item beside them that waits on the network); the resolved results hold them too.
   */
  run(items: readonly BatchItem[], urgent = false, onItem?: OnItem): Promise<(BatchItemResult | null)[] | null> {
    if (this.dead) return Promise.resolve(null);
    const boundary = newBoundary();
    // Built now, so that a value that does not validate throws to the caller, not in a stream event.
    const command = channelCommand(items, boundary);
    return new Promise((resolve) => {
      const job: Job = { items, boundary, command, resolve, delivered: 0, outFrom: 0, errFrom: 0, ...(onItem ? { onItem } : {}) };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
      if (!this.current) this.next();
    });
  }

  /** No more batches: the remote shell exits at the end of its input. */
  async close(graceMs = 1_000): Promise<void> {
    if (!this.dead) this.proc.stdin.end();
    const killer = setTimeout(() => this.proc.kill(), graceMs);
    await this.proc.exited.catch(() => undefined);
    clearTimeout(killer);
    this.die(false);
  }

  private next(): void {
    // The batch that ended is in its results (copied out of these): an idle channel, a
    // hundred of them with 100 realservers, holds none of its output.
    this.out.reset();
    this.err.reset();
    const job = this.queue.shift();
    this.current = job ?? null;
    if (!job) return;
    this.timer = setTimeout(() => {
      // The host's own bound should have ended it: the channel is stuck, give it up.
      this.proc.kill();
      this.die(true);
    }, batchBoundMs(job.items) + this.graceMs);
    this.proc.stdin.write(job.command);
  }

  private received(collector: Collector, chunk: Buffer): void {
    const job = this.current;
    if (!job) return;
    if (!collector.push(chunk, Buffer.from(`${job.boundary} END`), Buffer.from(`${job.boundary} E `))) {
      this.overflowed(job, collector.overflow ?? 'output cap');
      return;
    }
    if (job.onItem && collector.frameEnded) this.deliverEnded(job);
    if (!this.out.maybeEnded || !this.err.maybeEnded) return;
    const stdout = this.out.all();
    const stderr = this.err.all();
    const end = channelEnd(stdout, stderr, job.boundary);
    if (!end) return;
    this.finish(splitBatchOutput(stdout.subarray(0, end.stdoutEnd), stderr.subarray(0, end.stderrEnd), job.boundary, job.items.length));
  }

  /** Hands the items that have ended since the last look to onItem, in order (each frame read once). */
  private deliverEnded(job: Job): void {
    const out = this.out.all();
    const err = this.err.all();
    while (job.delivered < job.items.length) {
      const frame = readFrame(out, err, job.boundary, job.delivered, job.outFrom, job.errFrom);
      // Not started, still running, or ended on stdout only so far.
      if (!frame || frame.result.timedOut || !frame.ended) return;
      job.onItem!(job.delivered, frame.result);
      job.delivered += 1;
      job.outFrom = frame.outNext;
      job.errFrom = frame.errNext;
    }
  }

  private finish(parts: (BatchItemResult | null)[] | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const job = this.current;
    this.current = null;
    job?.resolve(parts);
    if (!this.dead) this.next();
  }

  /**
   * Past the cap: the host is sending without end. The commands that finished keep their
   * results, the one running fails naming the cap, the channel goes (the rest run on their own).
   */
  private overflowed(job: Job, message: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
    this.proc.kill();
    // Nothing more is read: a process left behind by the kill gets EPIPE instead of an audience.
    this.proc.stdout.destroy();
    this.proc.stderr.destroy();
    job.resolve(markOverflow(splitBatchOutput(this.out.all(), this.err.all(), job.boundary, job.items.length), message));
    this.die(false);
  }

  /** `stuck`: given up on, so the command it was running did hang; otherwise the channel closed. */
  private die(stuck: boolean): void {
    if (this.dead) return;
    this.dead = true;
    const job = this.current;
    if (job) {
      // What finished before the channel closed is kept; the rest is run anew on its own, except
      // a command that hung the channel (running it again would only hang again).
      const parts = splitBatchOutput(this.out.all(), this.err.all(), job.boundary, job.items.length).map((p) => (p?.timedOut && !stuck ? null : p));
      this.finish(parts.some((p) => p !== null) ? parts : null);
    }
    for (const queued of this.queue.splice(0)) queued.resolve(null);
  }
}
