// Which first-round readings must be in before the test connection's first SYN, and the order
// a host's batch runs them in (src/engine/before-connection.ts), on the plan a run over the
// recorded lab's inventory sends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { beforeConnection, FirstRoundWatch, orderForConnection } from '../../src/engine/before-connection.js';
import { defaultParse, type ProbeOutcome } from '../../src/probes/runner.js';
import { allHosts } from '../../src/model/topology.js';
import { planBeforeConnection, type ProbeJob } from '../../src/engine/probe-plan.js';
import { QUICK_PER_SESSION } from '../../src/transport/transport.js';
import type { Topology } from '../../src/model/topology.js';

const topology = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bundles/healthy/manifest.json'), 'utf8')) as { topology: Topology }).topology;
const jobs = planBeforeConnection(topology, CHECKS);
const why = (j: Pick<ProbeJob, 'host' | 'name'>) => beforeConnection(j, 'director', 'client');
const command = (j: ProbeJob) => j.probe.argv.join(' ');

describe('beforeConnection', () => {
  it('holds the SYN for the counters it changes, uname and the client\'s tools, and the director\'s sysctls, addresses and neighbour table', () => {
    const held = jobs.filter((j) => why(j) !== null).map((j) => `${j.host} ${command(j)}`);
    expect(held.filter((c) => c.startsWith('director '))).toEqual(expect.arrayContaining([
      'director uname -s -r', 'director ipvsadm -Ln', 'director iptables-save -c', 'director nft list ruleset',
      'director sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs',
      // Its lines name the interface index of each packet of the director's one capture.
      'director ip -o addr',
      // Which RIPs it was resolving as its pings started (FirstRoundWatch.unresolvedRips).
      'director ip -4 neigh show',
    ]));
    expect(held).toEqual(expect.arrayContaining(['client sh -c for t do command -v "$t" || true; done sh curl bash socat nc', 'rs2 iptables-save -c', 'rs2 nft list ruleset', 'rs2 ss -ltn']));
    // Not the realservers' ping and traceroute towards the client: the director's readings say
    // whether the SYN waits for them (a director that may redirect them), see the next test.
    expect(held.filter((c) => / (ping|traceroute) .* 10\.217\.1\.10$/.test(c))).toEqual([]);
  });

  it('lets the reads the connection neither changes nor meets run beside it, the director\'s pings to the RIPs, and the realservers\' ping and traceroute (the SYN waits for them only if the director may redirect them)', () => {
    const free = jobs.filter((j) => why(j) === null).map((j) => `${j.host} ${command(j)}`);
    expect(free.sort()).toEqual([
      'client ip -o addr', 'client ip route get 10.217.100.1',
      'director cat /proc/modules', 'director ip route get 10.217.1.10 from 10.217.2.11 iif rec-int',
      'director ip route get 10.217.1.10 from 10.217.2.12 iif rec-int', 'director ip route get 10.217.1.10 from 10.217.2.13 iif rec-int',
      'director ip route get 10.217.100.1 from 10.217.1.10 iif rec-ext', 'director ip rule', 'director ipvsadm -Ln --timeout',
      // The director's pings to the RIPs: a SYN held in a RIP's ARP waits for its request on the capture instead.
      'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.11', 'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.12', 'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.13',
      'rs1 ip -o addr', 'rs1 ip route get 10.217.1.10 from 10.217.2.11', 'rs1 ip rule', 'rs1 ping -n -c1 -W1 -I 10.217.2.11 10.217.1.10', 'rs1 sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs', 'rs1 traceroute -n -w1 -q1 -m8 -s 10.217.2.11 10.217.1.10',
      'rs2 ip -o addr', 'rs2 ip route get 10.217.1.10 from 10.217.2.12', 'rs2 ip rule', 'rs2 ping -n -c1 -W1 -I 10.217.2.12 10.217.1.10', 'rs2 sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs', 'rs2 traceroute -n -w1 -q1 -m8 -s 10.217.2.12 10.217.1.10',
      'rs3 ip -o addr', 'rs3 ip route get 10.217.1.10 from 10.217.2.13', 'rs3 ip rule', 'rs3 ping -n -c1 -W1 -I 10.217.2.13 10.217.1.10', 'rs3 sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs', 'rs3 traceroute -n -w1 -q1 -m8 -s 10.217.2.13 10.217.1.10',
    ]);
  });
});

describe('orderForConnection', () => {
  const director = jobs.filter((j) => j.host === 'director');
  const ordered = orderForConnection(director, 'director', 'client');

  it('runs what the SYN waits for, then the rest, then the director\'s pings to the RIPs (beside the others: they start with the batch), each in plan order', () => {
    expect(ordered.map((j) => j.name)).toEqual(['uname', 'ipvsadm', 'iptables-save', 'nft', 'ip-addr', 'sysctl', 'neigh', 'modules', 'ip-rule', 'route-get-request', 'route-get-reply', 'route-get-reply', 'route-get-reply', 'ipvsadm-timeout', 'ping-rip', 'ping-rip', 'ping-rip']);
    expect(ordered.filter((j) => j.name === 'ping-rip').every((j) => j.probe.besideOthers === true)).toBe(true);
    expect(ordered.filter((j) => j.name === 'ping-rip').map((j) => j.target)).toEqual(['rs1', 'rs2', 'rs3']);
  });

  it('puts every reading the SYN waits for in the director\'s first session (uname runs with it anyway; the pings run beside, in whichever session)', () => {
    const firstSession = ordered.filter((j) => j.name !== 'uname').slice(0, QUICK_PER_SESSION - 1);
    expect(ordered.filter((j) => why(j) !== null && j.name !== 'uname' && j.name !== 'ping-rip').every((j) => firstSession.includes(j))).toBe(true);
  });
});

// The SYN waits for the director's neighbour table, read as its pings to the RIPs start, and
// for none of those pings: the table says which RIPs the director was resolving
// (FirstRoundWatch.unresolvedRips), and a SYN that was not forwarded waits for the director's
// request for each of them on the capture (src/facts/rip-arp.ts, ripArpUnseen). Real tables
// from the netns lab (fixtures/parsers/ip-neigh, SOURCES.md) and the director's real pings of
// the recorded realserver.unreachable (rs1 unanswered, rs2 and rs3 answered), against that
// lab's recorded topology (10.51.2.11-13).
describe('FirstRoundWatch: the neighbour table, not the pings; the RIPs still being resolved', () => {
  const lab = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bundles-ping/realserver.drops-pings/manifest.json'), 'utf8')) as { topology: Topology }).topology;
  const labJobs = planBeforeConnection(lab, CHECKS).filter((j) => j.host === 'director');
  const hosts = new Map(allHosts(lab).map((h) => [h.name, { name: h.name, role: h.role, access: h.access, status: 'reachable' as const, probesRun: 0 }]));
  const parsedOf = new Set(['neigh', 'ping-rip', 'ip-addr']);
  // The watch reads only the neighbour table, the pings and the director's addresses: the other readings arrive as done (what they say does not matter to it).
  const outcome = async (job: ProbeJob, stdout: string): Promise<ProbeOutcome> => ({ ok: true, host: job.host, probe: job.name, ...(job.target ? { target: job.target } : {}), command: command(job), stdout, exitCode: 0, parsed: parsedOf.has(job.name) ? await defaultParse(job.probe.parser, Buffer.from(stdout)) : null });
  const table = (file: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-neigh', file), 'utf8');
  const unreachable = join(import.meta.dirname, '../../fixtures/bundles-ping/realserver.unreachable');
  const recorded = (argv: string): string => {
    const manifest = JSON.parse(readFileSync(join(unreachable, 'manifest.json'), 'utf8')) as { entries: { host: string; argv: string[]; stdoutFile: string }[] };
    return readFileSync(join(unreachable, manifest.entries.find((x) => x.host === 'director' && x.argv.join(' ') === argv)!.stdoutFile), 'utf8');
  };
  const pingJob = (rs: string): ProbeJob => labJobs.find((j) => j.name === 'ping-rip' && j.target === rs)!;
  const pingOf = async (rs: string): Promise<ProbeOutcome> => outcome(pingJob(rs), recorded(command(pingJob(rs))));
  const neighJob = labJobs.find((j) => j.name === 'neigh')!;
  const rip = (rs: string): string => lab.realservers.find((r) => r.name === rs)!.rip;

  /** Feeds the director's first round but its pings (`neigh` as given, null: not planned; its recorded addresses); whether the SYN may go, and the watch. */
  async function beforePings(neigh: ProbeOutcome | null, topology: Topology = lab): Promise<{ watch: FirstRoundWatch; readingsIn: boolean }> {
    const watch = new FirstRoundWatch(topology, hosts, 'director', 'client');
    watch.expect('director', neigh ? labJobs : labJobs.filter((j) => j.name !== 'neigh'));
    let inn = false;
    void watch.readingsIn('director').then(() => (inn = true));
    if (neigh) watch.arrived(neigh);
    for (const j of labJobs.filter((x) => x.name !== 'neigh' && x.name !== 'ping-rip')) watch.arrived(await outcome(j, j.name === 'ip-addr' ? recorded('ip -o addr') : ''));
    await new Promise((r) => setImmediate(r));
    return { watch, readingsIn: inn };
  }

  it('the SYN waits for the table and for none of the pings, whatever the table says', async () => {
    for (const neigh of [await outcome(neighJob, table('lab--director-failed.out')), await outcome(neighJob, recorded('ip -4 neigh show')), null]) {
      expect((await beforePings(neigh)).readingsIn).toBe(true);
    }
    // Not before the table.
    const watch = new FirstRoundWatch(lab, hosts, 'director', 'client');
    watch.expect('director', labJobs);
    let inn = false;
    void watch.readingsIn('director').then(() => (inn = true));
    for (const j of labJobs.filter((x) => x.name !== 'neigh' && x.name !== 'ping-rip')) watch.arrived(await outcome(j, ''));
    await new Promise((r) => setImmediate(r));
    expect(inn).toBe(false);
    watch.arrived(await outcome(neighJob, table('lab--director-failed.out')));
    await new Promise((r) => setImmediate(r));
    expect(inn).toBe(true);
  });

  it('a RIP the table holds no MAC for (FAILED, INCOMPLETE, DELAY without a MAC) is being resolved until its ping is answered', async () => {
    for (const file of ['lab--director-failed.out', 'lab--director-delay.out']) {
      const { watch } = await beforePings(await outcome(neighJob, table(file)));
      expect([...watch.unresolvedRips()]).toEqual([rip('rs1')]);
    }
    // The recorded realserver.unreachable: rs1 INCOMPLETE, its ping unanswered; rs2 and rs3 held and answered.
    const { watch } = await beforePings(await outcome(neighJob, recorded('ip -4 neigh show')));
    expect([...watch.unresolvedRips()]).toEqual([rip('rs1')]);
    for (const rs of ['rs1', 'rs2', 'rs3']) watch.arrived(await pingOf(rs));
    expect([...watch.unresolvedRips()]).toEqual([rip('rs1')]);
  });

  it('an answered ping ends the resolution; a RIP whose MAC the table holds never was one (the recorded run whose rs1 drops pings)', async () => {
    const { watch } = await beforePings(await outcome(neighJob, table('lab--director-failed.out')));
    // rs2's recorded ping, answered, stands for rs1's: the watch reads only its counts.
    watch.arrived({ ...(await pingOf('rs2')), target: 'rs1', command: command(pingJob('rs1')) });
    expect([...watch.unresolvedRips()]).toEqual([]);
    const dir = join(import.meta.dirname, '../../fixtures/bundles-ping/realserver.drops-pings');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: { host: string; argv: string[]; stdoutFile: string }[] };
    const e = manifest.entries.find((x) => x.host === 'director' && x.argv.join(' ') === 'ip -4 neigh show')!;
    const held = await beforePings(await outcome(neighJob, readFileSync(join(dir, e.stdoutFile), 'utf8')));
    expect([...held.watch.unresolvedRips()]).toEqual([]);
  });

  it('no table (not planned, or failed): every RIP the director pings is being resolved until its ping is answered', async () => {
    const failed: ProbeOutcome = { ok: false, host: 'director', probe: 'neigh', command: command(neighJob), failure: 'exit', message: 'ip exited 1', error: { kind: 'exit', message: 'ip exited 1' } } as ProbeOutcome;
    for (const neigh of [null, failed]) {
      const { watch } = await beforePings(neigh);
      expect([...watch.unresolvedRips()].sort()).toEqual(['rs1', 'rs2', 'rs3'].map(rip));
      for (const rs of ['rs1', 'rs2', 'rs3']) watch.arrived(await pingOf(rs));
      expect([...watch.unresolvedRips()]).toEqual([rip('rs1')]);
    }
  });

  it('a RIP the director reaches through a router has no ARP of its own: never being resolved (while the director\'s addresses are not in, it may be)', async () => {
    // The recorded inventory with rs1's RIP moved off the director's subnets (10.51.2.0/24 on t-int), as a routed realserver's would be.
    const routed: Topology = { ...lab, realservers: lab.realservers.map((rs) => (rs.name === 'rs1' ? { ...rs, rip: '10.51.9.11' } : rs)) };
    const { watch } = await beforePings(await outcome(neighJob, table('lab--director-failed.out')), routed);
    watch.arrived(await pingOf('rs1'));
    expect([...watch.unresolvedRips()]).toEqual([]);
    const early = new FirstRoundWatch(routed, hosts, 'director', 'client');
    early.expect('director', labJobs);
    early.arrived(await outcome(neighJob, table('lab--director-failed.out')));
    // The table holds no entry for it, and nothing says yet that it is not on the director's LAN.
    expect([...early.unresolvedRips()]).toEqual(['10.51.9.11']);
  });

  it('a RIP the director does not ping in this round is none of its concern', async () => {
    const watch = new FirstRoundWatch(lab, hosts, 'director', 'client');
    watch.expect('director', labJobs.filter((j) => !(j.name === 'ping-rip' && j.target === 'rs1')));
    watch.arrived(await outcome(neighJob, table('lab--director-failed.out')));
    expect([...watch.unresolvedRips()]).toEqual([]);
  });
});
