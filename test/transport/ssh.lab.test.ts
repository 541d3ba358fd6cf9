// The transport and the probes against real hosts: the network-namespace lab, over real ssh.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapturedConnections, type CapturedConnectionsPlan } from '../../src/engine/test-connection.js';
import { allHosts, type Topology } from '../../src/model/topology.js';
import { decodePcap } from '../../src/pcap/index.js';
import { CHECKS } from '../../checks/index.js';
import { planBeforeConnection } from '../../src/engine/probe-plan.js';
import { readRequestedCounters } from '../../src/parsers/tcpdump-text.js';
import { hostname } from '../../src/probes/hostname.js';
import { runProbes, type ProbeOutcome, type ProbeRequest } from '../../src/probes/runner.js';
import { readBundle, writeBundle } from '../../src/transport/bundle.js';
import { RecordingTransport } from '../../src/transport/record.js';
import { Redactor, redactBundle } from '../../src/transport/redact.js';
import { ReplayTransport } from '../../src/transport/replay.js';
import { SshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/transport.js';
import { execCommand } from '../../src/lab/proc.js';
import { LAB_PREFIX, labSkipReason, labTopology } from './lab-helpers.js';
import { transpileSources } from './transpile.js';

/** The engine's plan before the test connection, and each host's hostname (ssh reached the right host). */
function probeSetFor(t: Topology): ProbeRequest[] {
  const planned = planBeforeConnection(t, CHECKS).map((j) => ({ host: j.host, probe: j.probe }));
  return [...planned, ...allHosts(t).filter((h) => h.access !== 'none').map((h) => ({ host: h.name, probe: hostname }))];
}

const skip = labSkipReason();
type Lab = typeof import('../../src/lab/index.js');
type LabInfo = Awaited<ReturnType<Lab['labUp']>>;

let lab: Lab;
let info: LabInfo;
let topology: Topology;
const temp: string[] = [];

async function tempDir(name: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `lvsd-${name}-`));
  temp.push(d);
  return d;
}

function transport(): SshTransport {
  return new SshTransport({ hosts: allHosts(topology), sshPath: info.sshWrapper });
}

function capturePlan(t: Topology, boundMs = 20_000): CapturedConnectionsPlan {
  const cip = t.client.cip as string;
  return {
    client: t.client.name,
    vip: t.service.vip,
    vport: t.service.vport,
    connections: 1,
    connectTimeoutS: 3,
    captures: [
      { host: t.director.name, iface: t.director.ext as string, filter: { hosts: [cip] }, boundMs },
      { host: t.director.name, iface: t.director.int as string, filter: { hosts: [cip] }, boundMs },
      ...t.realservers.map((rs) => ({ host: rs.name, iface: `${LAB_PREFIX}-lan`, filter: { hosts: [cip], icmp: true }, boundMs })),
    ],
  };
}

/** tcpdump processes living in a lab host's network namespace (the PID namespace is shared). */
async function tcpdumpsOnLabHosts(): Promise<string[]> {
  const state = JSON.parse(await readFile(join(info.dir, 'state.json'), 'utf8')) as { daemons: { host: string; kind: string; pid: number }[] };
  const nsOf = new Map<string, string>();
  for (const d of state.daemons.filter((x) => x.kind === 'sshd')) {
    const ns = await readlink(`/proc/${d.pid}/ns/net`).catch(() => null);
    if (ns) nsOf.set(ns, d.host);
  }
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() !== 'tcpdump') continue;
    const host = nsOf.get(await readlink(`/proc/${pid}/ns/net`).catch(() => ''));
    if (host) found.push(`${host}:${pid}`);
  }
  return found;
}

async function waitFor(predicate: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return predicate();
}

function summary(outcomes: ProbeOutcome[]): unknown[] {
  return outcomes.map((o) => ({ host: o.host, key: o.spec?.key, ok: o.ok, parsed: o.ok ? o.parsed : undefined, error: o.ok ? undefined : o.error }));
}

/** The doctor's ssh masters (ControlMaster=yes, a run's socket directory) and the lab hosts' ssh sessions. */
function ourSshOnLab(): string[] {
  const found: string[] = [];
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${LAB_PREFIX}-`));
  for (const netns of namespaces) {
    for (const pid of execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      const args = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        } catch {
          return [];
        }
      })();
      if (args.includes('ControlMaster=yes') && args.some((a) => a.includes('/lvsd-'))) found.push(`master ${pid} in ${netns}`);
      else if (/^sshd: \S+@notty/.test(args.join(' '))) found.push(`session ${pid} in ${netns}`);
    }
  }
  return found;
}

describe.skipIf(skip !== null)(`ssh transport and probes against the lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    lab = await import('../../src/lab/index.js');
    await lab.labDown(LAB_PREFIX).catch(() => undefined);
    info = await lab.labUp({ prefix: LAB_PREFIX, realservers: 3 });
    topology = labTopology(info);
  }, 120_000);

  afterAll(async () => {
    await lab?.labDown(LAB_PREFIX).catch(() => undefined);
    if (!process.env.LVSD_KEEP) await Promise.all(temp.map((d) => rm(d, { recursive: true, force: true })));
  }, 60_000);

  it('opens every master, runs the probe set over ssh, no transport errors', async () => {
    const t = transport();
    try {
      const names = allHosts(topology).map((h) => h.name);
      const prepared = await t.prepare(names);
      expect([...prepared.values()]).toEqual(names.map(() => null));
      const outcomes = await runProbes(t, probeSetFor(topology), { detectOs: true });
      expect(outcomes.filter((o) => !o.ok && (o.error?.kind === 'transport' || o.error?.kind === 'validation'))).toEqual([]);
      const hostnames = outcomes.filter((o) => o.spec?.parser === 'hostname').map((o) => [o.host, (o.ok ? (o.parsed as { hostname: string }).hostname : undefined)]);
      expect(hostnames).toEqual(hostnames.map(([h]) => [h, h]));
      // This kernel has no IPVS: /proc/net/ip_vs is missing (an exit, as data) and ipvsadm says so.
      const ipAddr = outcomes.filter((o) => o.spec?.parser === 'ip-addr');
      expect(ipAddr.every((o) => o.ok)).toBe(true);
    } finally {
      await t.close();
    }
    expect(await t.socketDirectory().then((d) => (d ? readdir(d).catch(() => 'gone') : 'none'))).toBe('gone');
  });

  it('close() while the masters connect: no master and no session is left, whenever it comes', async () => {
    // A master in its handshake forks into the background when it authenticates; a close in
    // that moment once signalled the exiting parent and left the master (found by signals.lab).
    const names = allHosts(topology).map((h) => h.name);
    const left: string[] = [];
    for (let delayMs = 0; delayMs <= 600; delayMs += 40) {
      const t = transport();
      const prepared = t.prepare(names);
      await new Promise((r) => setTimeout(r, delayMs));
      await t.close();
      await prepared;
      await new Promise((r) => setTimeout(r, 300));
      left.push(...ourSshOnLab().map((p) => `after ${delayMs} ms: ${p}`));
      // Whatever one round left must not be counted again by the next.
      for (const p of ourSshOnLab().filter((x) => x.startsWith('master '))) process.kill(Number(p.split(' ')[1]), 'SIGKILL');
    }
    expect(left).toEqual([]);
  }, 60_000);

  it('--keep-connections: the next run uses the master the last one left; one killed hard is replaced', async () => {
    const dir = await tempDir('keep');
    const keepConnections = { dir: join(dir, 'sockets'), seconds: 30 };
    const masterPid = async (): Promise<string | null> => {
      const { sharedControlPath } = await import('../../src/transport/ssh-reuse.js');
      const path = sharedControlPath(keepConnections.dir, info.sshWrapper, topology.director.ssh!);
      // ssh -O check answers on stderr: "Master running (pid=N)".
      const r = await execCommand([info.sshWrapper, '-o', `ControlPath=${path}`, '-O', 'check', topology.director.ssh!.host], { allowFailure: true, timeoutMs: 5_000 });
      return /pid=(\d+)/.exec(r.stderr)?.[1] ?? null;
    };
    const first = new SshTransport({ hosts: allHosts(topology), sshPath: info.sshWrapper, keepConnections });
    expect((await first.run(topology.director.name, ['hostname'], { timeoutMs: 5000 })).exitCode).toBe(0);
    await first.close();
    const pid = await masterPid();
    expect(pid).toMatch(/^\d+$/);
    // The next run finds it by connecting to its socket, without starting ssh.
    const { sharedControlPath, socketAnswers } = await import('../../src/transport/ssh-reuse.js');
    expect(await socketAnswers(sharedControlPath(keepConnections.dir, info.sshWrapper, topology.director.ssh!))).toBe(true);
    const second = new SshTransport({ hosts: allHosts(topology), sshPath: info.sshWrapper, keepConnections });
    const r = await second.run(topology.director.name, ['hostname'], { timeoutMs: 5000 });
    await second.close();
    expect(Buffer.from(r.stdout).toString().trim()).toBe(topology.director.name);
    expect(await masterPid()).toBe(pid);
    // Killed hard, a master leaves its socket behind: the next run opens a new one there.
    process.kill(Number(pid), 'SIGKILL');
    expect(await waitFor(async () => (await masterPid()) === null, 5000)).toBe(true);
    const third = new SshTransport({ hosts: allHosts(topology), sshPath: info.sshWrapper, keepConnections });
    expect((await third.run(topology.director.name, ['hostname'], { timeoutMs: 5000 })).exitCode).toBe(0);
    await third.close();
    const newPid = await masterPid();
    expect(newPid).toMatch(/^\d+$/);
    expect(newPid).not.toBe(pid);
    process.kill(Number(newPid), 'SIGTERM');
    expect(await waitFor(async () => (await masterPid()) === null, 5000)).toBe(true);
  });

  it('runs a test connection with captures on every hop', async () => {
    const t = transport();
    try {
      const result = await runCapturedConnections(t, capturePlan(topology));
      expect(result.attempts).toHaveLength(1);
      expect(result.attempts[0]).toMatchObject({ ok: true, exitCode: 0 });
      expect(result.attempts[0].command).toMatch(/^curl /);
      expect(result.attempts[0].output).toMatch(/^200 /);
      for (const c of result.captures) expect(c.error).toBeUndefined();
      // Each capture was asked for its counters once it listened, before the connection.
      for (const c of result.captures) expect(readRequestedCounters(c.result!.stderr), c.result!.stderr).not.toBeNull();
      const [ext, int] = await Promise.all(result.captures.slice(0, 2).map((c) => decodePcap(c.result!.stdout)));
      expect(ext.packets.length).toBeGreaterThanOrEqual(3);
      expect(int.packets.length).toBeGreaterThanOrEqual(3);
    } finally {
      await t.close();
    }
  });

  it('records a run, replays it to the same results, and a redacted bundle to the same results modulo the mapping', async () => {
    const dir = await tempDir('bundle');
    const rec = new RecordingTransport(transport(), { dir, topology });
    const requests = probeSetFor(topology);
    const live = await runProbes(rec, requests, { detectOs: true });
    const liveConn = await runCapturedConnections(rec, capturePlan(topology));
    await rec.close();

    const replay = await ReplayTransport.open(dir);
    expect(summary(await runProbes(replay, requests, { detectOs: true }))).toEqual(summary(live));
    const replayConn = await runCapturedConnections(replay, capturePlan(topology));
    expect(replayConn.captures.map((c) => c.result?.stdout)).toEqual(liveConn.captures.map((c) => c.result?.stdout));

    const r = new Redactor();
    const redacted = redactBundle(await readBundle(dir), r);
    const rdir = await tempDir('redacted');
    await writeBundle(rdir, redacted);
    const everything = JSON.stringify(redacted.manifest) + [...redacted.files.values()].map((b) => Buffer.from(b).toString('latin1')).join('');
    expect(everything).not.toMatch(/10\.89\./);
    expect(everything).not.toContain(info.dir);

    const rtopo = redacted.manifest.topology as Topology;
    const rreplay: Transport = await ReplayTransport.open(rdir);
    const fromRedacted = await runProbes(rreplay, probeSetFor(rtopo), { detectOs: true });
    expect(summary(fromRedacted)).toEqual(JSON.parse(r.text(JSON.stringify(summary(live)))));
    const rconn = await runCapturedConnections(rreplay, capturePlan(rtopo));
    expect(rconn.attempts[0].ok).toBe(true);
    for (const [i, c] of rconn.captures.entries()) {
      const a = await decodePcap(liveConn.captures[i].result!.stdout);
      const b = await decodePcap(c.result!.stdout);
      expect(JSON.parse(JSON.stringify(b.packets))).toEqual(JSON.parse(r.text(JSON.stringify(a.packets))));
    }
  }, 60_000);

  describe('no tcpdump outlives the doctor', () => {
    let root: string;
    beforeAll(async () => {
      root = await tempDir('js');
      await transpileSources(root);
    }, 60_000);

    async function startChild(boundMs: number): Promise<{ child: ReturnType<typeof spawn>; socketDir: string; output: () => string }> {
      const spec = JSON.stringify({ hosts: allHosts(topology), sshPath: info.sshWrapper, captures: capturePlan(topology, boundMs).captures });
      const child = spawn(process.execPath, [new URL('./capture-child.mjs', import.meta.url).pathname, root, spec], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const armed = await waitFor(async () => /ARMED/.test(out) || child.exitCode !== null, 20_000);
      expect(armed && /ARMED/.test(out), out).toBe(true);
      return { child, socketDir: /ARMED (\S+)/.exec(out)?.[1] ?? '', output: () => out };
    }

    /** The PID of the master on a socket (ssh -O check answers "Master running (pid=N)"). */
    function masterPidOf(socket: string): number {
      const r = spawnSync(info.sshWrapper, ['-o', `ControlPath=${socket}`, '-O', 'check', 'x'], { encoding: 'utf8' });
      return Number(/pid=(\d+)/.exec(r.stderr)?.[1]);
    }

    /** Which lab host a master on a socket is connected to (its command line names it). */
    function masterHost(socket: string): string | undefined {
      const pid = masterPidOf(socket);
      return Number.isInteger(pid) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).pop() : undefined;
    }

    async function exitMasters(socketDir: string): Promise<void> {
      const sockets = await readdir(socketDir).catch(() => [] as string[]);
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise((resolve) => {
              const p = spawn(info.sshWrapper, ['-o', `ControlPath=${join(socketDir, s)}`, '-O', 'exit', 'x'], { stdio: 'ignore' });
              p.on('close', resolve);
            }),
        ),
      );
      await rm(socketDir, { recursive: true, force: true });
    }

    // Far below the captures' 60 s bound: each tcpdump ends when its session's stdin does.
    const PROMPTLY_MS = 3_000;

    it('kill -9 mid-capture: every remote tcpdump is gone at once (its stdin closed with the doctor), long before its bound', async () => {
      const { child, socketDir } = await startChild(60_000);
      const started = Date.now();
      expect((await tcpdumpsOnLabHosts()).length).toBe(capturePlan(topology).captures.length);
      child.kill('SIGKILL');
      const gone = await waitFor(async () => (await tcpdumpsOnLabHosts()).length === 0, PROMPTLY_MS);
      expect(gone, `still running: ${(await tcpdumpsOnLabHosts()).join(' ')} after ${Date.now() - started} ms`).toBe(true);
      await exitMasters(socketDir);
    }, 40_000);

    it('a dropped connection ends its capture: the ssh client killed, or the host\'s master', async () => {
      const { child, socketDir } = await startChild(60_000);
      try {
        const before = await tcpdumpsOnLabHosts();
        expect(before.length).toBe(capturePlan(topology).captures.length);
        // The local ssh clients that carry the captures (children of the doctor, one per capture).
        const clients = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tcpdump'));
        expect(clients.length).toBe(before.length);
        const rs1Client = clients.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('rs1'));
        expect(rs1Client).toBeDefined();
        process.kill(Number(rs1Client), 'SIGKILL');
        const onRs1 = async (): Promise<boolean> => (await tcpdumpsOnLabHosts()).some((t) => t.startsWith('rs1:'));
        expect(await waitFor(async () => !(await onRs1()), PROMPTLY_MS), 'rs1 tcpdump outlived its ssh client').toBe(true);
        // The director's master killed: the connection is gone, and with it its sessions' stdin.
        const master = masterPidOf(join(socketDir, readdirSync(socketDir).find((s) => /^h\d+$/.test(s) && masterHost(join(socketDir, s)) === 'director')!));
        process.kill(master, 'SIGKILL');
        const onDirector = async (): Promise<boolean> => (await tcpdumpsOnLabHosts()).some((t) => t.startsWith('director:'));
        expect(await waitFor(async () => !(await onDirector()), PROMPTLY_MS), 'the director\'s tcpdumps outlived its connection').toBe(true);
        // The others still run: nothing but their own connection's end stopped those.
        expect((await tcpdumpsOnLabHosts()).length).toBe(before.length - 3);
      } finally {
        child.kill('SIGKILL');
        await waitFor(async () => (await tcpdumpsOnLabHosts()).length === 0, PROMPTLY_MS);
        await exitMasters(socketDir);
      }
    }, 40_000);

    it('SIGINT: the doctor stops every capture on the hosts before exiting', async () => {
      const boundMs = 60_000;
      const { child, output } = await startChild(boundMs);
      expect((await tcpdumpsOnLabHosts()).length).toBeGreaterThan(0);
      child.kill('SIGINT');
      const exited = await waitFor(async () => child.exitCode !== null, 10_000);
      expect(exited && /CLOSED/.test(output()), output()).toBe(true);
      // Far below the 60 s bound: stopped by PID, not by the bound.
      expect(await waitFor(async () => (await tcpdumpsOnLabHosts()).length === 0, 3_000)).toBe(true);
    }, 40_000);
  });

  it('a host whose sshd is down: the run completes, that host is unreachable, the others answer', async () => {
    const pid = Number((await readFile(join(info.dir, 'hosts', 'rs2', 'sshd.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    await waitFor(async () => !(await readFile(`/proc/${pid}/comm`, 'utf8').then(() => true, () => false)), 3_000);
    const t = transport();
    try {
      const outcomes = await runProbes(t, probeSetFor(topology), { detectOs: true });
      const rs2 = outcomes.filter((o) => o.host === 'rs2');
      expect(rs2.length).toBeGreaterThan(0);
      expect(new Set(rs2.map((o) => (o.ok ? undefined : o.error?.transportKind)))).toEqual(new Set(['unreachable']));
      expect(outcomes.filter((o) => o.host !== 'rs2' && !o.ok && o.error?.kind === 'transport')).toEqual([]);
    } finally {
      await t.close();
    }
  }, 40_000);
});
