// A run stopped before it finishes (Ctrl-C / SIGTERM through its signal, or its --deadline):
// over a recorded fault, through a transport whose commands only end when they are stopped
// once the moment comes, the engine stops every capture and connection, returns at once with
// what it has, verdict unknown, marked interrupted, and the document still meets the schema.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { runDiagnosis } from '../../src/engine/run.js';
import type { StopRequest } from '../../src/engine/stop-early.js';
import type { ResultDocument } from '../../src/model/result.js';
import { openReplay } from '../../src/transport/replay.js';
import { runEachAlone, type RunOptions, type RunResult, type Transport } from '../../src/transport/transport.js';
import { schemaErrors } from '../report/schema-validator.js';
import { recordedLeavingProbesOut, type ManifestEntry } from '../scenarios/leaving-probes-out.js';

const bundle = join(import.meta.dirname, '../../fixtures/bundles/realserver.reply-route');

/**
 * The recorded answers, each after `delayMs`; from `hangFrom` on (a command name), commands
 * hang until their signal aborts them, as a live tcpdump or a slow connection does.
 */
class StallingTransport implements Transport {
  readonly runs: { argv: readonly string[]; signal?: AbortSignal; startedAt: number }[] = [];
  private hanging = false;
  /** When the first command hung. */
  hangStartedAt = 0;
  /** Commands hanging now (stopped ones have answered). */
  stalled = 0;
  onHang: () => void = () => undefined;

  constructor(
    private readonly inner: Transport,
    private readonly hangFrom: string,
    /** Commands that do not even hear their stop (a host that stopped answering). */
    private readonly deaf: readonly string[] = [],
    private readonly delayMs = 2,
  ) {}

  prepare(hosts: readonly string[]): Promise<Map<string, null>> {
    return Promise.resolve(new Map(hosts.map((h) => [h, null])));
  }

  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runEachAlone(this, host, argvs, options);
  }

  async run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    this.runs.push({ argv, startedAt: performance.now(), ...(options.signal ? { signal: options.signal } : {}) });
    if (argv[0] === this.hangFrom && !this.hanging) {
      this.hanging = true;
      this.hangStartedAt = performance.now();
      setTimeout(() => this.onHang(), 20);
    }
    if (this.hanging) {
      // Answers only when stopped, like a capture waiting for packets.
      this.stalled++;
      await new Promise<void>((resolve) => {
        if (this.deaf.includes(argv[0])) return;
        if (options.signal?.aborted) resolve();
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      this.stalled--;
      return { stdout: new Uint8Array(), stderr: '', exitCode: 143, durationMs: 0, stopped: true };
    }
    await new Promise((r) => setTimeout(r, this.delayMs));
    return this.inner.run(host, argv, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function resultOf(run: AsyncGenerator<unknown, ResultDocument>): Promise<ResultDocument> {
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
  }
}

describe('a run stopped early', () => {
  it.each([
    ['the captures listen', 'tcpdump'],
    ['the first probes run', 'sysctl'],
  ])('on its signal while %s: everything running stopped, no connection made after, the partial result returned at once', async (_when, hangFrom) => {
    const replay = await openReplay(bundle);
    const transport = new StallingTransport(replay, hangFrom);
    const controller = new AbortController();
    let abortedAt = 0;
    transport.onHang = () => {
      abortedAt = performance.now();
      const request: StopRequest = { by: 'signal', signal: 'SIGTERM' };
      controller.abort(request);
    };
    const result = await resultOf(runDiagnosis({ transport, topology: replay.topology!, checks: CHECKS, mode: 'replay', signal: controller.signal }));
    const returnedAt = performance.now();
    expect(abortedAt).toBeGreaterThan(0);
    // At once: well under the CLI's 1 s bound (a loaded machine gets some slack).
    expect(returnedAt - abortedAt).toBeLessThan(800);
    expect(result.interrupted).toMatchObject({ by: 'signal', signal: 'SIGTERM' });
    expect(result.interrupted?.message).toMatch(/interrupted by SIGTERM after \d+\.\d s/);
    expect(result.verdict).toBe('unknown');
    expect(result.summary).toMatch(/^interrupted by SIGTERM/);
    // What was seen before the stop is kept: by the captures, the first probes had answered.
    if (hangFrom === 'tcpdump') expect(result.checks.some((c) => c.verdict === 'pass')).toBe(true);
    const hung = transport.runs.filter((r) => r.startedAt >= transport.hangStartedAt);
    expect(hung.length).toBeGreaterThan(0);
    if (hangFrom === 'tcpdump') expect(hung.filter((r) => r.argv[0] === 'tcpdump').length).toBeGreaterThan(1);
    // Nothing starts once stopped: no connection, no probe of a later phase.
    expect(transport.runs.filter((r) => r.startedAt > abortedAt).map((r) => r.argv.join(' '))).toEqual([]);
    // Every command that was waiting was stopped through its signal.
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.stalled).toBe(0);
    expect(schemaErrors(JSON.parse(JSON.stringify(result)))).toEqual([]);
  });

  it('on its signal while the first probes run beside captures started with them: every capture stopped, none started after, no connection', async () => {
    // Recorded as this doctor records now (captures leaving the probes out): the captures start with the first probes.
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-stop-early-'));
    try {
      cpSync(bundle, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: ManifestEntry[] };
      recordedLeavingProbesOut(manifest.entries);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const replay = await openReplay(dir);
      // The director's iptables-save is among what the connection waits for: from it on, nothing answers.
      const transport = new StallingTransport(replay, 'iptables-save');
      const controller = new AbortController();
      let abortedAt = 0;
      transport.onHang = () => {
        abortedAt = performance.now();
        controller.abort({ by: 'signal', signal: 'SIGINT' } satisfies StopRequest);
      };
      const result = await resultOf(runDiagnosis({ transport, topology: replay.topology!, checks: CHECKS, mode: 'replay', signal: controller.signal, testConnection: { leaveProbesOut: true } }));
      expect(result.interrupted).toMatchObject({ by: 'signal', signal: 'SIGINT' });
      const captures = transport.runs.filter((r) => r.argv[0] === 'tcpdump');
      // Started with the first probes, before the stop.
      expect(captures.length).toBeGreaterThan(0);
      expect(captures.every((c) => c.startedAt <= abortedAt)).toBe(true);
      expect(transport.runs.filter((r) => r.argv[0] === 'curl')).toEqual([]);
      expect(transport.runs.filter((r) => r.startedAt > abortedAt).map((r) => r.argv.join(' '))).toEqual([]);
      await new Promise((r) => setTimeout(r, 10));
      for (const c of captures) expect(c.signal?.aborted).toBe(true);
      expect(transport.stalled).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('at its deadline: the same, saying the deadline was reached, even when a host never answers', async () => {
    const replay = await openReplay(bundle);
    // From the first ping on, nothing answers, and pings do not even hear their stop.
    const transport = new StallingTransport(replay, 'ping', ['ping']);
    const started = performance.now();
    const result = await resultOf(runDiagnosis({ transport, topology: replay.topology!, checks: CHECKS, mode: 'replay', deadlineMs: 400 }));
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(1_500);
    expect(result.interrupted).toMatchObject({ by: 'deadline', deadlineS: 0.4 });
    expect(result.summary).toMatch(/^deadline of 0\.4 s reached/);
    expect(result.verdict).toBe('unknown');
    for (const c of transport.runs.filter((r) => r.argv[0] === 'tcpdump')) expect(c.signal?.aborted).toBe(true);
    expect(transport.runs.some((r) => r.argv[0] === 'ping')).toBe(true);
    expect(schemaErrors(JSON.parse(JSON.stringify(result)))).toEqual([]);
  });

  it('a deadline that is not reached changes nothing: no interrupted field, the fault named', async () => {
    const replay = await openReplay(bundle);
    const result = await resultOf(runDiagnosis({ transport: replay, topology: replay.topology!, checks: CHECKS, mode: 'replay', deadlineMs: 60_000 }));
    expect(result.interrupted).toBeUndefined();
    expect(result.verdict).toBe('fail');
    expect(result.diagnoses[0]?.id).toBe('realserver.reply-route');
  });
});
