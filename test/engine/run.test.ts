// The engine over real recorded bundles, with the failures a real run meets injected into the
// recording: an unreachable realserver, a malformed output. The run always completes.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { recordedLeavingProbesOut } from '../scenarios/leaving-probes-out.js';
import { runEachAlone } from '../../src/transport/transport.js';

const healthy = join(import.meta.dirname, '../../fixtures/bundles/healthy');

interface Entry { host: string; argv: string[]; stdoutFile: string; exitCode: number; transportError?: { kind: string; message: string } }

function mutated(change: (entries: Entry[], dir: string) => void, from = healthy): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-engine-'));
  cpSync(from, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: Entry[] };
  change(manifest.entries, dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('runDiagnosis over a recorded healthy lab', () => {
  it('proves every hop and names no fault', async () => {
    const r = await replayBundle(healthy);
    expect(r.verdict).toBe('ok');
    expect(r.diagnoses).toEqual([]);
    expect(r.hops.map((h) => h.status)).toEqual(['seen', 'seen', 'seen', 'seen']);
    expect(r.proven.length).toBeGreaterThan(5);
    expect(r.checks.every((c) => c.verdict === 'pass' || c.verdict === 'skip')).toBe(true);
  });

  it('a realserver that stops answering ssh becomes unreachable; the run completes and says what it could not prove', async () => {
    const dir = mutated((entries) => {
      for (const e of entries) if (e.host === 'rs2') e.transportError = { kind: 'unreachable', message: 'ssh: connect to host rs2 port 22: Connection refused' };
    });
    try {
      const r = await replayBundle(dir);
      expect(r.hosts.find((h) => h.name === 'rs2')?.status).toBe('unreachable');
      expect(r.hosts.filter((h) => h.status === 'reachable').map((h) => h.name).sort()).toEqual(['client', 'director', 'rs1', 'rs3']);
      expect(r.unproven[0]).toMatch(/^rs2 \(realserver\) could not be reached: unreachable: .*Connection refused; next: check the address/);
      expect(r.diagnoses).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a malformed output makes its check `error` with the parser\'s words; the other checks still run', async () => {
    const dir = mutated((entries, d) => {
      const e = entries.find((x) => x.host === 'director' && x.argv.join(' ') === 'ip -o addr')!;
      writeFileSync(join(d, e.stdoutFile), 'this is not ip -o addr output\n');
    });
    try {
      const r = await replayBundle(dir);
      const vip = r.checks.find((c) => c.id === 'setup.vip-local')!;
      expect(vip.verdict).toBe('error');
      expect(vip.summary).toMatch(/ip -o addr on director: line 1: expected an 'ip -o addr' line/);
      expect(r.verdict).toBe('unknown');
      expect(r.checks.find((c) => c.id === 'setup.ip-forward')?.verdict).toBe('pass');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('runDiagnosis: what runs when', () => {
  type Step = { at: number; what: 'start' | 'armed' | 'end'; host: string; command: string };

  /**
   * Replays `dir` (its test connection as recorded), putting every call's start, "listening"
   * line and end in order. `slow`: commands ("host command") that take that many ms more.
   */
  async function timeline(dir: string, slow: Record<string, number> = {}, testConnection?: { earlyCaptures?: boolean; earlyAllowanceMs?: number }): Promise<Step[]> {
    const { openReplay } = await import('../../src/transport/replay.js');
    const { runDiagnosis } = await import('../../src/engine/run.js');
    const { recordedTestConnection } = await import('../../src/engine/probes-alongside.js');
    const { CHECKS } = await import('../../checks/index.js');
    const replay = await openReplay(dir);
    const log: Step[] = [];
    let tick = 0;
    // A capture given up and armed again is served its recording again.
    const captured = new Map<string, Promise<Awaited<ReturnType<typeof replay.run>>>>();
    const transport = {
      ...replay,
      prepare: replay.prepare?.bind(replay),
      close: () => replay.close(),
      runTogether: (host: string, argvs: readonly (readonly string[])[], options: Parameters<typeof replay.run>[2]) => runEachAlone(transport, host, argvs, options),
      run: async (host: string, argv: readonly string[], options: Parameters<typeof replay.run>[2]) => {
        const command = argv.join(' ');
        log.push({ at: tick++, what: 'start', host, command });
        // A capture takes a while to listen, as tcpdump does on a host.
        if (command.startsWith('tcpdump')) await new Promise((r) => setTimeout(r, 30));
        const extra = slow[`${host} ${command}`];
        if (extra) await new Promise((r) => setTimeout(r, extra));
        const onStderrLine = (line: string) => {
          if (/listening on/.test(line)) log.push({ at: tick++, what: 'armed', host, command });
          options.onStderrLine?.(line);
        };
        const again = captured.get(`${host} ${command}`);
        if (again) {
          onStderrLine('listening on any');
          await again;
        }
        const r = await (again ?? replay.run(host, argv, { ...options, onStderrLine }));
        if (command.startsWith('tcpdump')) captured.set(`${host} ${command}`, Promise.resolve(r));
        log.push({ at: tick++, what: 'end', host, command });
        return r;
      },
    };
    for await (const e of runDiagnosis({ transport, topology: replay.topology!, checks: CHECKS, mode: 'replay', testConnection: { ...recordedTestConnection(replay), ...testConnection } })) void e;
    await transport.close();
    return log;
  }

  const at = (log: Step[], pick: 'first' | 'last', what: Step['what'], pred: (c: string, host: string) => boolean): number => {
    const ticks = log.filter((l) => l.what === what && pred(l.command, l.host)).map((l) => l.at);
    expect(ticks.length).toBeGreaterThan(0);
    return pick === 'first' ? Math.min(...ticks) : Math.max(...ticks);
  };
  const isCapture = (c: string) => c.startsWith('tcpdump');
  const isQ12 = (c: string) => /^(ping|traceroute) /.test(c);
  const isRealserverQ12 = (c: string, host: string) => isQ12(c) && host.startsWith('rs');
  const isDirectorQ12 = (c: string, host: string) => isQ12(c) && host === 'director';
  const isCurl = (c: string) => c.startsWith('curl');
  const isAfter = (c: string) => c === 'ipvsadm -Lnc' || c.startsWith('conntrack -L') || c.startsWith('nstat');

  it('with CIP, ext, int and DIP in the inventory and captures holding every packet, Q.1/Q.2 go with the first probes, over before any capture', async () => {
    const log = await timeline(healthy);
    expect(at(log, 'last', 'end', isQ12)).toBeLessThan(at(log, 'first', 'start', isCapture));
    expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', isCurl));
    expect(at(log, 'last', 'start', (c) => c.includes('command -v'))).toBeLessThan(at(log, 'first', 'start', isCapture));
  });

  it('without them, CIP comes from the first round and Q.1/Q.2 follow it, still over before any capture', async () => {
    // The client's address now comes from its own `ip route get VIP`, in the first round.
    const dir = mutated(() => undefined);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { topology: { client: { cip?: string } } };
    delete manifest.topology.client.cip;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    try {
      const log = await timeline(dir);
      expect(at(log, 'first', 'start', isQ12)).toBeGreaterThan(at(log, 'last', 'end', (c) => c === 'ip route get 10.217.100.1'));
      expect(at(log, 'last', 'end', isQ12)).toBeLessThan(at(log, 'first', 'start', isCapture));
      expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', isCurl));
      expect((await replayBundle(dir)).verdict).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  // Issue 12: a realserver's ping and traceroute towards the client (1-2.3 s when it does not
  // answer) need not hold the connections back once the captures leave their packets out and
  // the director cannot answer them with a redirect (src/engine/probes-alongside.ts): they go
  // with their host's first reads, and their second passes beside the captures and the connection.
  it('captures leaving the probes out, send_redirects 0: the realservers\' ping and traceroute go with their first reads and the connections do not wait for them; the director\'s are over before the connections', async () => {
    const dir = mutated(recordedLeavingProbesOut);
    try {
      // A client that does not answer them: each waits (ping's -W1, traceroute's -w1).
      const slow = { 'rs1 ping -n -c1 -W1 -I 10.217.2.11 10.217.1.10': 400, 'rs1 traceroute -n -w1 -q1 -m8 -s 10.217.2.11 10.217.1.10': 400 };
      const log = await timeline(dir, slow);
      expect(at(log, 'first', 'start', isRealserverQ12)).toBeLessThan(at(log, 'first', 'armed', isCapture));
      expect(at(log, 'first', 'start', isCurl)).toBeLessThan(at(log, 'last', 'end', isRealserverQ12));
      expect(at(log, 'last', 'end', isDirectorQ12)).toBeLessThan(at(log, 'first', 'start', isCurl));
      // The connection tables are read once the connections are over, not after the probes' second.
      expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', isCurl));
      expect(at(log, 'first', 'start', isAfter)).toBeLessThan(at(log, 'last', 'end', isRealserverQ12));
      const r = await replayBundle(dir);
      expect(r.verdict).toBe('ok');
      expect(r.checks.find((c) => c.id === 'q1.realserver-pings-client')?.verdict).toBe('pass');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a firewall-mark service: the MARK rules\' counters after the connection are read once the realservers\' probes are over too (their packets in both readings or in neither)', async () => {
    const dir = mutated(recordedLeavingProbesOut);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { topology: { service: { fwmark?: number } } };
    manifest.topology.service.fwmark = 1;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    try {
      const slow = { 'rs1 ping -n -c1 -W1 -I 10.217.2.11 10.217.1.10': 400, 'rs1 traceroute -n -w1 -q1 -m8 -s 10.217.2.11 10.217.1.10': 400 };
      const log = await timeline(dir, slow);
      const isMarkCounters = (c: string, h: string) => h === 'director' && c === 'iptables-save -c -t mangle';
      expect(at(log, 'first', 'start', isMarkCounters)).toBeGreaterThan(at(log, 'last', 'end', isRealserverQ12));
      expect(at(log, 'first', 'start', isMarkCounters)).toBeGreaterThan(at(log, 'last', 'end', isCurl));
      expect(at(log, 'first', 'start', isAfter)).toBeLessThan(at(log, 'last', 'end', isRealserverQ12));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('with --trace-drops, the realservers\' ping and traceroute stay before the captures (a trace cannot leave their drops out)', async () => {
    // Recorded by this doctor: its captures already leave the probes out.
    const dir = mutated(() => undefined, join(import.meta.dirname, '../../fixtures/bundles-traces/director.rp-filter'));
    try {
      const log = await timeline(dir);
      expect(log.some((l) => l.command.includes('kfree_skb') || /trace/.test(l.command))).toBe(true);
      expect(at(log, 'last', 'end', isQ12)).toBeLessThan(at(log, 'first', 'start', isCapture));
      expect((await replayBundle(dir)).diagnoses[0].id).toBe('director.rp-filter');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('against a one-network director that sends redirects, the realservers\' ping and traceroute stay before the connections (the ping draws a redirect)', async () => {
    const dir = mutated(recordedLeavingProbesOut, join(import.meta.dirname, '../../fixtures/bundles/director.send-redirects'));
    try {
      const log = await timeline(dir);
      expect(at(log, 'last', 'end', isQ12)).toBeLessThan(at(log, 'first', 'start', isCurl));
      // They go with their hosts' first reads; the connections wait for the director's whole
      // first round (its route lookups decide it) and for them.
      expect(at(log, 'first', 'start', isRealserverQ12)).toBeLessThan(at(log, 'last', 'end', (c, h) => h === 'director' && c.startsWith('ip route get')));
      expect(at(log, 'first', 'start', isCurl)).toBeGreaterThan(at(log, 'last', 'end', (c, h) => h === 'director' && c.startsWith('ip route get')));
      expect((await replayBundle(dir)).diagnoses[0].id).toBe('director.send-redirects');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  // Issue 12: the captures start with the first probes, and the connections wait only for the
  // readings they would change or meet (src/engine/before-connection.ts).
  describe('captures starting with the first probes', () => {
    const SLOW = 80;
    // Read by the checks before the connection, changed by it: rule counters on a realserver, the director's IPVS counters.
    const counters = { 'rs2 iptables-save -c': SLOW, 'director ipvsadm -Ln': SLOW };
    // Neither changed by the connection nor putting packets on a wire.
    const free = { 'director ip rule': 4 * SLOW, 'director cat /proc/modules': 4 * SLOW, 'rs1 ip -o addr': 4 * SLOW };
    const ended = (host: string, command: string) => (c: string, h: string) => h === host && c === command;

    it('every capture starts while the first round runs, and the connections go once they listen, past the readings that must precede them and before the rest', async () => {
      const dir = mutated(recordedLeavingProbesOut);
      try {
        const log = await timeline(dir, { ...counters, ...free });
        const firstCurl = at(log, 'first', 'start', isCurl);
        // Started early: every capture is on its way before the slow first-round reads are over.
        for (const [key] of Object.entries(free)) expect(at(log, 'last', 'start', isCapture)).toBeLessThan(at(log, 'last', 'end', ended(key.split(' ')[0], key.slice(key.indexOf(' ') + 1))));
        expect(firstCurl).toBeGreaterThan(at(log, 'last', 'armed', isCapture));
        // The counters, the director's pings to the RIPs, every host's uname and the client's tools are in first.
        for (const [key] of Object.entries(counters)) expect(firstCurl).toBeGreaterThan(at(log, 'last', 'end', ended(key.split(' ')[0], key.slice(key.indexOf(' ') + 1))));
        expect(firstCurl).toBeGreaterThan(at(log, 'last', 'end', isDirectorQ12));
        expect(firstCurl).toBeGreaterThan(at(log, 'last', 'end', (c) => c === 'uname -s -r'));
        expect(firstCurl).toBeGreaterThan(at(log, 'last', 'end', (c) => c.includes('command -v')));
        // What the connection neither changes nor meets is still running when it starts.
        for (const [key] of Object.entries(free)) expect(firstCurl).toBeLessThan(at(log, 'last', 'end', ended(key.split(' ')[0], key.slice(key.indexOf(' ') + 1))));
        // The after-probes still read what every probe and connection left.
        expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', ended('director', 'ip rule')));
        expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', isCurl));
        expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', isRealserverQ12));
        const r = await replayBundle(dir);
        expect(r.verdict).toBe('ok');
      } finally {
        rmSync(dir, { recursive: true });
      }
    });

    it('earlyCaptures false keeps the order before issue 12: the captures start once the first round is over', async () => {
      const dir = mutated(recordedLeavingProbesOut);
      try {
        const log = await timeline(dir, free, { earlyCaptures: false });
        expect(at(log, 'first', 'start', isCapture)).toBeGreaterThan(at(log, 'last', 'end', ended('director', 'ip rule')));
      } finally {
        rmSync(dir, { recursive: true });
      }
    });

    it('a first round that outlasts the allowance gives the early captures up: new ones listen before the connections', async () => {
      const dir = mutated(recordedLeavingProbesOut);
      try {
        const log = await timeline(dir, { 'director iptables-save -c': 250 }, { earlyAllowanceMs: 60 });
        const starts = log.filter((l) => l.what === 'start' && isCapture(l.command));
        expect(starts.length).toBe(12);
        const slowEnd = at(log, 'last', 'end', ended('director', 'iptables-save -c'));
        // The first six before the slow read ended, the six new ones after it; the connections after every one listens.
        expect(starts.slice(0, 6).every((s) => s.at < slowEnd)).toBe(true);
        expect(starts.slice(6).every((s) => s.at > slowEnd)).toBe(true);
        expect(at(log, 'first', 'start', isCurl)).toBeGreaterThan(at(log, 'last', 'armed', isCapture));
        expect(at(log, 'first', 'start', isAfter)).toBeGreaterThan(at(log, 'last', 'end', isCurl));
        expect(log.filter((l) => l.what === 'start' && isCurl(l.command)).length).toBe(3);
      } finally {
        rmSync(dir, { recursive: true });
      }
    });

    it('a bundle recorded before the captures left the probes out keeps its own order (captures after every first-round probe)', async () => {
      const log = await timeline(healthy, free);
      expect(at(log, 'first', 'start', isCapture)).toBeGreaterThan(at(log, 'last', 'end', ended('director', 'ip rule')));
      expect(at(log, 'first', 'start', isCapture)).toBeGreaterThan(at(log, 'last', 'end', isQ12));
    });

    // A SYN balanced to that RIP waits in its ARP: the wire decides it once the director's next
    // request is on int (src/facts/rip-arp.ts, ripArpUnseen), not the SYN's start.
    it('the director whose ping to a RIP takes its whole second: the connections do not wait for it, and the diagnosis is the same', async () => {
      const dir = mutated(recordedLeavingProbesOut, join(import.meta.dirname, '../../fixtures/bundles/realserver.unreachable'));
      try {
        const log = await timeline(dir, { 'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.11': 150, ...free });
        expect(at(log, 'first', 'start', isCapture)).toBeLessThan(at(log, 'last', 'end', isDirectorQ12));
        expect(at(log, 'first', 'start', isCurl)).toBeLessThan(at(log, 'last', 'end', isDirectorQ12));
        expect((await replayBundle(dir)).diagnoses[0].id).toBe('realserver.unreachable');
      } finally {
        rmSync(dir, { recursive: true });
      }
    });
  });

  it('a host whose connection takes its whole timeout to fail delays nobody else: the others probe meanwhile, and it ends unreachable', async () => {
    const { openReplay } = await import('../../src/transport/replay.js');
    const { runDiagnosis } = await import('../../src/engine/run.js');
    const { CHECKS } = await import('../../checks/index.js');
    const { TransportError } = await import('../../src/transport/transport.js');
    const replay = await openReplay(healthy);
    const log: string[] = [];
    const transport = {
      ...replay,
      close: () => replay.close(),
      runTogether: (host: string, argvs: readonly (readonly string[])[], options: Parameters<typeof replay.run>[2]) => runEachAlone(transport, host, argvs, options),
      run: (host: string, argv: readonly string[], options: Parameters<typeof replay.run>[2]) => {
        log.push(`run ${host} ${argv[0]}`);
        return replay.run(host, argv, options);
      },
      prepare: async (names: readonly string[]) => {
        const result = await replay.prepare(names);
        if (names.includes('rs2')) {
          // As ssh does against a host that answers nothing: the whole ConnectTimeout.
          await new Promise((r) => setTimeout(r, 300));
          log.push('rs2 connect failed');
          result.set('rs2', new TransportError('timeout', 'rs2', 'ssh did not connect in time'));
        }
        return result;
      },
    };
    let result;
    for await (const e of runDiagnosis({ transport, topology: replay.topology!, checks: CHECKS, mode: 'replay' })) if (e.type === 'run-end') result = e.result;
    await transport.close();
    const failedAt = log.indexOf('rs2 connect failed');
    // The director, the client and the other realservers read their first probes while rs2 was still connecting.
    const before = log.slice(0, failedAt).filter((l) => l.startsWith('run '));
    for (const host of ['director', 'client', 'rs1', 'rs3']) expect(before.some((l) => l.startsWith(`run ${host} `)), host).toBe(true);
    expect(log.some((l) => l.startsWith('run rs2 '))).toBe(false);
    expect(result!.hosts.find((h) => h.name === 'rs2')).toMatchObject({ status: 'unreachable', reason: 'timeout: rs2: ssh did not connect in time', probesRun: 0 });
  });

  it('a transport that throws while connecting one host loses that host, not the run', async () => {
    const { openReplay } = await import('../../src/transport/replay.js');
    const { runDiagnosis } = await import('../../src/engine/run.js');
    const { CHECKS } = await import('../../checks/index.js');
    const replay = await openReplay(healthy);
    const transport = {
      ...replay,
      close: () => replay.close(),
      run: replay.run.bind(replay),
      runTogether: replay.runTogether.bind(replay),
      prepare: async (names: readonly string[]) => {
        if (names.includes('rs3')) throw new Error('EACCES: socket directory');
        return replay.prepare(names);
      },
    };
    let result;
    for await (const e of runDiagnosis({ transport, topology: replay.topology!, checks: CHECKS, mode: 'replay' })) if (e.type === 'run-end') result = e.result;
    await transport.close();
    expect(result!.hosts.find((h) => h.name === 'rs3')).toMatchObject({ status: 'unreachable', reason: 'internal: EACCES: socket directory', probesRun: 0 });
    expect(result!.hosts.filter((h) => h.status === 'reachable').map((h) => h.name).sort()).toEqual(['client', 'director', 'rs1', 'rs2']);
  });
});

describe('what silence proves (issue 16.8)', () => {
  const NO_ICMP = 'the director sent no ICMP unreachable to a realserver';

  it('a healthy recorded run proves the director sent no ICMP unreachable', async () => {
    const r = await replayBundle(healthy);
    expect(r.proven).toContain(NO_ICMP);
  });

  it('with the director unreachable, "no ICMP unreachable" is unproven, not proven', async () => {
    const dir = mutated((entries) => {
      for (const e of entries) if (e.host === 'director') e.transportError = { kind: 'unreachable', message: 'ssh: connect to host director port 22: Connection refused' };
    });
    try {
      const r = await replayBundle(dir);
      expect(r.proven).not.toContain(NO_ICMP);
      expect(r.checks.find((c) => c.id === 'q3.direct-rip')).toMatchObject({ verdict: 'unknown', summary: expect.stringContaining('director could not be probed') });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("with the director's captures failed, it is unproven too", async () => {
    const dir = mutated((entries) => {
      for (const e of entries) if (e.host === 'director' && e.argv.includes('tcpdump')) e.transportError = { kind: 'timeout', message: 'tcpdump did not start' };
    });
    try {
      const r = await replayBundle(dir);
      expect(r.proven).not.toContain(NO_ICMP);
      expect(r.checks.find((c) => c.id === 'q3.direct-rip')?.verdict).toBe('unknown');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
