// The test connection's orchestration over a stand-in transport whose tcpdump listens at once
// and runs until stopped: whichever way the call ends, no capture is left running.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCapturedConnections, SETTLE_DECIDED_MS, SETTLE_FAILED_MS, SETTLE_SILENT_MS, type CapturedConnectionsPlan } from '../../src/engine/test-connection.js';
import { runEachAlone, type RunOptions, type RunResult, type Transport } from '../../src/transport/transport.js';

/** tcpdump's listening line, then, as ssh and local transports do when asked, the counters it prints on SIGUSR1. */
function listen(options: RunOptions, line: string): void {
  options.onStderrLine?.(line);
  if (options.requestCountersAfter?.(line)) options.onStderrLine?.('tcpdump: 0 packets captured, 0 packets received by filter, 0 packets dropped by kernel');
}

function standIn(): { transport: Transport; running: Set<string>; stopped: string[] } {
  const running = new Set<string>();
  const stopped: string[] = [];
  const transport: Transport = {
    close: async () => undefined,
    runTogether: (host, argvs, options) => runEachAlone(transport, host, argvs, options),
    run: (host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> => {
      if (argv[0] !== 'tcpdump') return Promise.resolve({ stdout: new TextEncoder().encode('200 10.0.0.10'), stderr: '', exitCode: 0, durationMs: 1 });
      const id = `${host} ${argv[argv.indexOf('-i') + 1]}`;
      running.add(id);
      listen(options, `tcpdump: listening on ${argv[argv.indexOf('-i') + 1]}, link-type EN10MB (Ethernet), snapshot length 512 bytes`);
      return new Promise((resolve) => {
        options.signal?.addEventListener('abort', () => {
          running.delete(id);
          stopped.push(id);
          resolve({ stdout: new Uint8Array(), stderr: '', exitCode: 0, durationMs: 1, stopped: true });
        });
      });
    },
  };
  return { transport, running, stopped };
}

const plan = (extra: Partial<CapturedConnectionsPlan> = {}): CapturedConnectionsPlan => ({
  client: 'client',
  vip: '10.0.0.10',
  vport: 80,
  captures: [
    { host: 'director', iface: 'eth0', filter: { hosts: ['10.0.0.10'] } },
    { host: 'director', iface: 'eth1', filter: { hosts: ['10.0.0.10'] } },
    { host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } },
  ],
  tool: 'curl',
  connections: 2,
  connectTimeoutS: 2,
  ...extra,
});

describe('runCapturedConnections', () => {
  it('arms every capture, connects, and stops every capture before it returns', async () => {
    const { transport, running, stopped } = standIn();
    let armedWith = -1;
    const r = await runCapturedConnections(transport, plan({ onArmed: () => (armedWith = running.size) }));
    expect(armedWith).toBe(3);
    expect(r.attempts.map((a) => a.ok)).toEqual([true, true]);
    expect(r.captures.map((c) => c.error)).toEqual([undefined, undefined, undefined]);
    expect(running.size).toBe(0);
    expect(stopped.sort()).toEqual(['client any', 'director eth0', 'director eth1']);
  });

  it('a callback that throws ends the call, and still no capture is left running', async () => {
    const { transport, running } = standIn();
    await expect(
      runCapturedConnections(transport, plan({ onConnectionsDone: () => { throw new Error('listener broke'); } })),
    ).rejects.toThrow('listener broke');
    expect(running.size).toBe(0);
  });
});

describe('runCapturedConnections with drop traces (--trace-drops)', () => {
  const traceOut = readFileSync(join(import.meta.dirname, '../../fixtures/parsers/kfree-skb-trace/drp1lab--director-rp-filter.out'));

  it('a trace that was not recording at the first SYN is stopped then and proves nothing, even with a trace to show; one that was is read', async () => {
    const { transport: captures, running } = standIn();
    const slowHost = 'director';
    const order: string[] = [];
    const transport: Transport = {
      ...captures,
      runTogether: (host, argvs, options) => runEachAlone(transport, host, argvs, options),
      run: (host, argv, options) => {
        if (argv[0] === 'tcpdump') return captures.run(host, argv, options);
        if (argv[0] !== 'unshare') {
          order.push('connect');
          return captures.run(host, argv, options);
        }
        // The recorded trace's output either way: only the moment it armed differs.
        if (host !== slowHost) options.onStderrLine?.('lvsd-trace: armed');
        return new Promise((resolve) =>
          options.signal?.addEventListener('abort', () => {
            order.push(`stop ${host}`);
            resolve({ stdout: traceOut, stderr: '', exitCode: 0, durationMs: 1, stopped: true });
          }),
        );
      },
    };
    const spec = (host: string) => ({ host, ifaces: [], boundMs: 30_000 });
    const r = await runCapturedConnections(transport, plan({ traces: [spec(slowHost), spec('rs1')], armWithinMs: 300 }));
    expect(r.attempts.map((a) => a.ok)).toEqual([true, true]);
    expect(order.slice(0, 3)).toEqual([`stop ${slowHost}`, 'connect', 'connect']);
    expect(r.traces[0]).toEqual({ result: null, error: 'the drop trace was not recording within 0.3 s, before the test connection: it proves nothing' });
    expect(r.traces[1].error).toBeUndefined();
    expect(r.traces[1].result?.stdout).toEqual(traceOut);
    expect(running.size).toBe(0);
  });

  it('a capture not listening at the first SYN is stopped then; its recording replays to the same judgement', async () => {
    const { transport: captures } = standIn();
    const order: string[] = [];
    let recorded: RunResult | undefined;
    const silent = (host: string, argv: readonly string[]) => host === 'director' && argv.includes('eth1');
    const live: Transport = {
      ...captures,
      runTogether: (host, argvs, options) => runEachAlone(live, host, argvs, options),
      run: (host, argv, options) => {
        if (!silent(host, argv)) {
          if (argv[0] !== 'tcpdump') order.push('connect');
          return captures.run(host, argv, options);
        }
        return new Promise((resolve) =>
          options.signal?.addEventListener('abort', () => {
            order.push('stop director eth1');
            resolve((recorded = { stdout: new Uint8Array(), stderr: '', exitCode: 0, durationMs: 1, stopped: true }));
          }),
        );
      },
    };
    const late = 'tcpdump was not listening within 0.3 s, before the test connection: its capture proves nothing';
    const r = await runCapturedConnections(live, plan({ armWithinMs: 300 }));
    expect(order.slice(0, 2)).toEqual(['stop director eth1', 'connect']);
    expect(r.captures.map((c) => c.error)).toEqual([undefined, late, undefined]);
    // A replay serves the recorded run at once: ended, stopped, never listening.
    const replayed: Transport = { ...captures, run: (host, argv, options) => (silent(host, argv) ? Promise.resolve(recorded!) : captures.run(host, argv, options)) };
    const again = await runCapturedConnections(replayed, plan({ armWithinMs: 300 }));
    expect(again.captures.map((c) => c.error)).toEqual([undefined, late, undefined]);
  });
});

describe('runCapturedConnections asking the captures for their counters (silence before the retransmission)', () => {
  // The recorded captures of director.firewall-drop (netns lab): ext, int, client.
  const dir = join(import.meta.dirname, '../../fixtures/bundles/director.firewall-drop');
  const recorded: Record<string, Uint8Array> = { eth0: readFileSync(join(dir, '0049-director.bin')), eth1: readFileSync(join(dir, '0050-director.bin')), any: readFileSync(join(dir, '0054-client.bin')) };
  const count = async (bytes: Uint8Array): Promise<number> => (await (await import('../../src/pcap/index.js')).decodePcap(bytes)).packets.length;

  /** tcpdump that writes its recorded capture at once and, asked, counts it (`dropped` lost by the kernel); curl that waits to be stopped. */
  function asking(opts: { dropped?: number; canAsk?: boolean; onItsWay?: number } = {}): { transport: Transport; asked: string[]; running: Set<string> } {
    const asked: string[] = [];
    const running = new Set<string>();
    const transport: Transport = {
      close: async () => undefined,
      runTogether: (host, argvs, options) => runEachAlone(transport, host, argvs, options),
      run: (host, argv, options) => {
        const iface = argv[argv.indexOf('-i') + 1];
        const id = argv[0] === 'tcpdump' ? `${host} ${iface}` : `${host} ${argv[0]}`;
        running.add(id);
        if (argv[0] === 'tcpdump') {
          const bytes = recorded[iface];
          listen(options, `tcpdump: listening on ${iface}, link-type EN10MB (Ethernet), snapshot length 512 bytes`);
          options.onStdoutChunk?.(bytes);
          if (opts.canAsk !== false) {
            options.countersOnDemand?.(() => {
              asked.push(id);
              // A kernel drop outside the received count: only the lost count can show it.
              void count(bytes).then((n) => options.onStderrLine?.(`tcpdump: ${n} packets captured, ${n + (opts.onItsWay ?? 0)} packets received by filter, ${opts.dropped ?? 0} packets dropped by kernel`));
              return true;
            });
          }
        }
        return new Promise((resolve) => {
          // curl gives up (exit 28) after a while, unless stopped first.
          const gaveUp = argv[0] === 'tcpdump' ? undefined : setTimeout(() => (running.delete(id), resolve({ stdout: new Uint8Array(), stderr: 'curl: (28) Connection timed out', exitCode: 28, durationMs: 300 })), 300);
          options.signal?.addEventListener('abort', () => {
            clearTimeout(gaveUp);
            running.delete(id);
            resolve({ stdout: argv[0] === 'tcpdump' ? recorded[iface] : new Uint8Array(), stderr: '', exitCode: argv[0] === 'tcpdump' ? 0 : 130, durationMs: 1, stopped: true });
          });
        });
      },
    };
    return { transport, asked, running };
  }

  /** What the decision was shown: the `synced` of each call, and silent once every capture is synced. */
  function watching(): { decide: NonNullable<CapturedConnectionsPlan['decide']>; seen: (number | null)[][] } {
    const seen: (number | null)[][] = [];
    return {
      seen,
      decide: (packets, synced) => {
        seen.push([...synced]);
        // Never more than the decision has.
        synced.forEach((n, i) => expect(n ?? 0).toBeLessThanOrEqual(packets[i]?.length ?? 0));
        const all = synced.every((n) => n !== null && n > 0);
        return { decided: all, selfEnding: 0, complete: false, silent: all };
      },
    };
  }

  it('asks every capture once the doctor has had its packets SYNC_AFTER_MS, and shows the decision what each then held', async () => {
    const { transport, asked, running } = asking();
    const { decide, seen } = watching();
    const t0 = performance.now();
    const r = await runCapturedConnections(transport, plan({ decide, connectTimeoutS: 5 }));
    expect(performance.now() - t0).toBeLessThan(3_000);
    // Asked again while the decision still waits for packets the last round did not close.
    expect([...new Set(asked)].sort()).toEqual(['client any', 'director eth0', 'director eth1']);
    const counts = await Promise.all([recorded.eth0, recorded.eth1, recorded.any].map(count));
    expect(seen.at(-1)).toEqual(counts);
    // The connections were stopped by the decision, not by their timeout.
    expect(r.attempts.every((a) => /captures had decided it/.test(a.output))).toBe(true);
    expect(running.size).toBe(0);
  });

  it('a round asked while a tool still runs is not one asked after the tools ended', async () => {
    const { transport, asked } = asking();
    const decide: NonNullable<CapturedConnectionsPlan['decide']> = (_p, _s, _a, closedAfterEnd) => ({ decided: closedAfterEnd, selfEnding: 0, complete: closedAfterEnd });
    const r = await runCapturedConnections(transport, plan({ decide, connectTimeoutS: 5 }));
    // Rounds were asked before curl gave up (300 ms), and none of them ended the connections.
    expect(asked.length).toBeGreaterThan(0);
    expect(r.attempts.map((a) => a.exitCode)).toEqual([28, 28]);
  });

  it('decided, with nothing from the client after its answer (a RST, an ICMP error): a round asked once the tools have ended completes it, sooner than the settle; not asked (a replay), the captures settle', async () => {
    // As src/facts/wire-decision.ts: answered at once, the tools end by themselves, complete once such a round has closed.
    const decide: NonNullable<CapturedConnectionsPlan['decide']> = (_p, _s, _a, closedAfterEnd) => ({ decided: true, selfEnding: 2, complete: closedAfterEnd });
    for (const canAsk of [true, false]) {
      const { transport, asked } = asking({ canAsk });
      let over = 0;
      let askedBeforeEnd = -1;
      await runCapturedConnections(transport, plan({ decide, connectTimeoutS: 5, onConnectionsDone: () => ((over = performance.now()), (askedBeforeEnd = asked.length)) }));
      const after = performance.now() - over;
      if (canAsk) {
        expect(askedBeforeEnd).toBe(0);
        expect([...new Set(asked)].sort()).toEqual(['client any', 'director eth0', 'director eth1']);
        expect(after).toBeLessThan(SETTLE_DECIDED_MS * 0.75);
      } else {
        expect(after).toBeGreaterThanOrEqual(SETTLE_DECIDED_MS - 5);
      }
    }
  });

  it('a capture whose kernel lost packets, one that counted a packet that never comes, or a host that cannot be asked (a replay), gives the decision nothing', async () => {
    for (const opts of [{ dropped: 2 }, { onItsWay: 1 }, { canAsk: false }]) {
      const { transport } = asking(opts);
      const { decide, seen } = watching();
      await runCapturedConnections(transport, plan({ decide, connectTimeoutS: 1, connections: 1 }));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((s) => s.every((n) => n === null)), JSON.stringify(opts)).toBe(true);
    }
  });
});

describe('runCapturedConnections when the tools put nothing on the wire (a client with no route)', () => {
  /** tcpdump that captures nothing and, asked, counts nothing; curl that fails at once, as with no route to the VIP. */
  function noRoute(canAsk: boolean): { transport: Transport; asked: string[] } {
    const asked: string[] = [];
    const transport: Transport = {
      close: async () => undefined,
      runTogether: (host, argvs, options) => runEachAlone(transport, host, argvs, options),
      run: (host, argv, options) => {
        if (argv[0] !== 'tcpdump') return Promise.resolve({ stdout: new Uint8Array(), stderr: 'curl: (7) Failed to connect to 10.0.0.10 port 80 after 0 ms: Network is unreachable', exitCode: 7, durationMs: 2 });
        const iface = argv[argv.indexOf('-i') + 1];
        listen(options, `tcpdump: listening on ${iface}, link-type EN10MB (Ethernet), snapshot length 512 bytes`);
        if (canAsk) {
          options.countersOnDemand?.(() => {
            asked.push(`${host} ${iface}`);
            setImmediate(() => options.onStderrLine?.('tcpdump: 0 packets captured, 0 packets received by filter, 0 packets dropped by kernel'));
            return true;
          });
        }
        return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve({ stdout: new Uint8Array(), stderr: '', exitCode: 0, durationMs: 1, stopped: true })));
      },
    };
    return { transport, asked };
  }
  // As src/facts/wire-decision.ts decides: no SYN on the client's capture once a round asked after the tools ended has closed it.
  const decide: NonNullable<CapturedConnectionsPlan['decide']> = (packets, _synced, _again, closedAfterEnd) => {
    const none = closedAfterEnd && packets.every((p) => (p?.length ?? 0) === 0);
    return { decided: none, selfEnding: 0, complete: none };
  };

  it('asked once the tools have ended, the captures say nothing was sent: they stop without the settle', async () => {
    const { transport, asked } = noRoute(true);
    let over = 0;
    await runCapturedConnections(transport, plan({ decide, onConnectionsDone: () => (over = performance.now()) }));
    const after = performance.now() - over;
    expect([...new Set(asked)].sort()).toEqual(['client any', 'director eth0', 'director eth1']);
    expect(after).toBeLessThan(SETTLE_FAILED_MS / 2);
  });

  it('not asked (a replay), they settle as before', async () => {
    const { transport } = noRoute(false);
    let over = 0;
    await runCapturedConnections(transport, plan({ decide, onConnectionsDone: () => (over = performance.now()) }));
    expect(performance.now() - over).toBeGreaterThanOrEqual(SETTLE_FAILED_MS - 5);
  });
});

describe('runCapturedConnections started early (src/engine/before-connection.ts)', () => {
  it('each capture starts once its host is up, none where it is not, and the connections wait for the gate', async () => {
    const { transport, running, stopped } = standIn();
    let open: (go: { tool?: 'curl' } | null) => void = () => undefined;
    const connectWhen = new Promise<{ tool?: 'curl' } | null>((r) => (open = r));
    let directorUp: (up: boolean) => void = () => undefined;
    const director = new Promise<boolean>((r) => (directorUp = r));
    const hostUp = (host: string) => (host === 'director' ? director : Promise.resolve(false));
    const call = runCapturedConnections(transport, plan({ early: { hostUp, connectWhen }, tool: undefined }));
    await new Promise((r) => setTimeout(r, 10));
    expect(running.size).toBe(0);
    directorUp(true);
    await new Promise((r) => setTimeout(r, 10));
    expect([...running].sort()).toEqual(['director eth0', 'director eth1']);
    open({ tool: 'curl' });
    const r = await call;
    expect(r.attempts.map((a) => a.ok)).toEqual([true, true]);
    expect(r.captures.map((c) => c.error ?? 'ok')).toEqual(['ok', 'ok', 'client is not connected: no capture was started there']);
    expect(running.size).toBe(0);
    expect(stopped.sort()).toEqual(['director eth0', 'director eth1']);
  });

  it('a gate that says no makes no connection, and stops every capture', async () => {
    const { transport, running } = standIn();
    const r = await runCapturedConnections(transport, plan({ early: { hostUp: async () => true, connectWhen: Promise.resolve(null) }, tool: undefined }));
    expect(r.attempts).toEqual([]);
    expect(running.size).toBe(0);
  });

  it('a capture that ended by itself (its -c bound) before the gate opened proves nothing', async () => {
    const { transport: inner } = standIn();
    const transport: Transport = {
      ...inner,
      run: (host, argv, options) => {
        if (argv[0] !== 'tcpdump' || argv[argv.indexOf('-i') + 1] !== 'eth1') return inner.run(host, argv, options);
        listen(options, 'tcpdump: listening on eth1, link-type EN10MB (Ethernet), snapshot length 512 bytes');
        return Promise.resolve({ stdout: new Uint8Array(), stderr: '200 packets captured', exitCode: 0, durationMs: 1 });
      },
    };
    let open: (go: { tool?: 'curl' } | null) => void = () => undefined;
    const connectWhen = new Promise<{ tool?: 'curl' } | null>((r) => (open = r));
    const call = runCapturedConnections(transport, plan({ early: { hostUp: async () => true, connectWhen }, tool: undefined }));
    await new Promise((r) => setTimeout(r, 10));
    open({ tool: 'curl' });
    const r = await call;
    expect(r.captures.map((c) => c.error ?? 'ok')).toEqual(['ok', 'tcpdump ended before the test connection: its capture proves nothing', 'ok']);
  });
});

describe('the director\'s sides together, with a capture on each side standing by (src/engine/director-sides.ts)', () => {
  // The recorded refusal (fixtures/bundles-sides/healthy.tcpdump-without-sll2, SOURCES.md): what
  // tcpdump 4.99 prints for a data link type it does not know, the path a tcpdump older than
  // 4.99 (libpcap < 1.10) takes for LINUX_SLL2.
  const refusal = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bundles-sides/healthy.tcpdump-without-sll2/manifest.json'), 'utf8')) as {
    entries: { host: string; argv: string[]; stderr: string; exitCode: number }[];
  }).entries.find((e) => e.host === 'director' && e.argv.includes('LINUX_SLL2'))!;
  const refusing = (inner: Transport): Transport => ({
    ...inner,
    run: (host, argv, options) =>
      argv.includes('LINUX_SLL2') ? Promise.resolve({ stdout: new Uint8Array(), stderr: refusal.stderr, exitCode: refusal.exitCode, durationMs: 1 }) : inner.run(host, argv, options),
  });
  const sides = (extra: Partial<CapturedConnectionsPlan> = {}): CapturedConnectionsPlan =>
    plan({
      captures: [
        { host: 'director', iface: 'any', filter: { hosts: ['10.0.0.10'] }, interfaceIndexes: true },
        { host: 'director', iface: 'eth0', filter: { hosts: ['10.0.0.10'] }, standbyFor: 0 },
        { host: 'director', iface: 'eth1', filter: { hosts: ['10.0.0.10'] }, standbyFor: 0 },
        { host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } },
      ],
      ...extra,
    });

  it('one capture on any: the standbys never start', async () => {
    const { transport, running, stopped } = standIn();
    let armedWith = -1;
    const r = await runCapturedConnections(transport, sides({ onArmed: () => (armedWith = running.size) }));
    expect(armedWith).toBe(2);
    expect(r.captures.map((c) => (c.unused ? 'unused' : c.error ?? 'ok'))).toEqual(['ok', 'unused', 'unused', 'ok']);
    expect(stopped.sort()).toEqual(['client any', 'director any']);
  });

  it('a tcpdump that refuses LINUX_SLL2: a capture on each side instead, listening before the connections', async () => {
    const { transport: inner, running, stopped } = standIn();
    let armedWith: string[] = [];
    const r = await runCapturedConnections(refusing(inner), sides({ onArmed: () => (armedWith = [...running].sort()) }));
    expect(armedWith).toEqual(['client any', 'director eth0', 'director eth1']);
    expect(r.captures[0].error).toContain('invalid data link type LINUX_SLL2');
    expect(r.captures.slice(1).map((c) => c.error ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
    expect(r.attempts.map((a) => a.ok)).toEqual([true, true]);
    expect(running.size).toBe(0);
    expect(stopped.sort()).toEqual(['client any', 'director eth0', 'director eth1']);
  });

  it('started early, the standbys wait for the director as the capture they stand in for does', async () => {
    const { transport: inner, running } = standIn();
    let directorUp: (up: boolean) => void = () => undefined;
    const director = new Promise<boolean>((r) => (directorUp = r));
    const hostUp = (host: string) => (host === 'director' ? director : Promise.resolve(true));
    const call = runCapturedConnections(refusing(inner), sides({ early: { hostUp, connectWhen: Promise.resolve({ tool: 'curl' }) }, tool: undefined }));
    await new Promise((r) => setTimeout(r, 10));
    expect([...running]).toEqual(['client any']);
    directorUp(false);
    const r = await call;
    // Not connected: none of the director's captures started, the standbys included.
    expect(r.captures.map((c) => c.error ?? 'ok')).toEqual([
      'director is not connected: no capture was started there', 'director is not connected: no capture was started there', 'director is not connected: no capture was started there', 'ok',
    ]);
  });
});

describe('runCapturedConnections decides from the wire', () => {
  const pcap = readFileSync(join(import.meta.dirname, '../../fixtures/parsers/pcap/netns--any-sll2.pcap'));
  const ticks = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  /** tcpdump streams `pcap` once the connections start; the first connection ends when released, the others only when stopped. */
  function wireStandIn(): { transport: Transport; events: string[]; release: () => void } {
    const events: string[] = [];
    const chunkSinks: ((c: Uint8Array) => void)[] = [];
    let release: () => void = () => undefined;
    let connections = 0;
    const transport: Transport = {
      close: async () => undefined,
      runTogether: (host, argvs, options) => runEachAlone(transport, host, argvs, options),
      run: (_host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> => {
        if (argv[0] === 'tcpdump') {
          if (options.onStdoutChunk) chunkSinks.push(options.onStdoutChunk);
          listen(options, 'tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 512 bytes');
          return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve({ stdout: pcap, stderr: '', exitCode: 0, durationMs: 1, stopped: true })));
        }
        const n = ++connections;
        if (options.signal?.aborted) {
          events.push(`connection ${n} stopped before it started`);
          return Promise.resolve({ stdout: new Uint8Array(), stderr: '', exitCode: 130, durationMs: 0, stopped: true });
        }
        if (n === 1) for (const sink of chunkSinks) sink(pcap);
        return new Promise((resolve) => {
          let ended = false;
          if (n === 1) release = () => {
            ended = true;
            events.push('connection 1 ended by itself');
            resolve({ stdout: new TextEncoder().encode('200 10.0.0.10'), stderr: '', exitCode: 0, durationMs: 1 });
          };
          options.signal?.addEventListener('abort', () => {
            if (ended) return;
            events.push(`connection ${n} stopped`);
            resolve({ stdout: new Uint8Array(), stderr: '', exitCode: 143, durationMs: 1, stopped: true });
          });
        });
      },
    };
    return { transport, events, release: () => release() };
  }

  it('stops the connections still waiting once decided, after those that end by themselves', async () => {
    const { transport, events, release } = wireStandIn();
    const decide = (packets: readonly (readonly unknown[] | null)[]): { decided: boolean; selfEnding: number; complete: boolean } => ({ decided: packets.some((p) => (p?.length ?? 0) > 0), selfEnding: 1, complete: false });
    const call = runCapturedConnections(transport, plan({ captures: [{ host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } }], decide }));
    await ticks(50);
    // Decided, but the answered connection has not ended yet: nothing is stopped.
    expect(events).toEqual([]);
    release();
    const r = await call;
    expect(events).toEqual(['connection 1 ended by itself', 'connection 2 stopped']);
    expect(r.attempts.map((a) => a.ok)).toEqual([true, false]);
    expect(r.attempts[1].output).toMatch(/captures had decided it/);
  });

  it('complete once the connections are over: the captures end without the settle; decided only: they settle', async () => {
    const settleOf = async (complete: boolean, silent = false): Promise<number> => {
      const { transport, release } = wireStandIn();
      let over = 0;
      const decide = (packets: readonly (readonly unknown[] | null)[]) => ({ decided: packets.some((p) => (p?.length ?? 0) > 0), selfEnding: 1, complete, silent });
      const call = runCapturedConnections(transport, plan({ captures: [{ host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } }], decide, onConnectionsDone: () => (over = performance.now()) }));
      await ticks(50);
      release();
      await call;
      return performance.now() - over;
    };
    expect(await settleOf(true)).toBeLessThan(SETTLE_DECIDED_MS / 2);
    expect(await settleOf(false)).toBeGreaterThanOrEqual(SETTLE_DECIDED_MS - 5);
    // Every connection unanswered: the short settle, not none.
    const silent = await settleOf(false, true);
    expect(silent).toBeGreaterThanOrEqual(SETTLE_SILENT_MS - 5);
    expect(silent).toBeLessThan((SETTLE_SILENT_MS + SETTLE_DECIDED_MS) / 2);
  });

  it('leaves no bound of its own pending once it returns: one would hold the process open after the run', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { transport, release } = wireStandIn();
    // One connection answered, one stopped: the failed branch's bounds (decided, then settled) are raced and lose.
    const decide = (packets: readonly (readonly unknown[] | null)[]) => ({ decided: packets.some((p) => (p?.length ?? 0) > 0), selfEnding: 1, complete: true });
    const before = timers();
    const call = runCapturedConnections(transport, plan({ captures: [{ host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } }], decide }));
    await ticks(50);
    release();
    const r = await call;
    expect(r.attempts.map((a) => a.ok)).toEqual([true, false]);
    expect(timers()).toBe(before);
  });

  it('an answer that came from elsewhere than the captures (a realserver asked) is read when it comes: `again` decides then', async () => {
    const { transport, events } = wireStandIn();
    let answer: (() => void) | null = null;
    let heard = false;
    const decide = (_packets: readonly (readonly unknown[] | null)[], _synced: readonly (number | null)[], again: () => void) => {
      // Asked once, answered later, out of the call.
      answer ??= (() => {
        setTimeout(() => {
          heard = true;
          again();
        }, 20);
        return () => undefined;
      })();
      return { decided: heard, selfEnding: 0, complete: false, silent: heard };
    };
    const r = await runCapturedConnections(transport, plan({ connections: 2, captures: [{ host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } }], decide }));
    // Nothing on the wire changed after the answer: only `again` could have decided and stopped both.
    expect(events).toEqual(['connection 1 stopped', 'connection 2 stopped']);
    expect(r.attempts.every((a) => /captures had decided it/.test(a.output))).toBe(true);
  });

  it('undecided, it stops nothing: the connections end on their own', async () => {
    const { transport, events, release } = wireStandIn();
    const call = runCapturedConnections(transport, plan({ connections: 1, captures: [{ host: 'client', iface: 'any', filter: { hosts: ['10.0.0.10'] } }], decide: () => ({ decided: false, selfEnding: 0, complete: false }) }));
    await ticks(50);
    expect(events).toEqual([]);
    release();
    await call;
    expect(events).toEqual(['connection 1 ended by itself']);
  });
});
