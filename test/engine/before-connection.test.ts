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
  it('holds the SYN for the counters it changes, the pings that meet it, uname and the client\'s tools, and the director\'s sysctls and addresses', () => {
    const held = jobs.filter((j) => why(j) !== null).map((j) => `${j.host} ${command(j)}`);
    expect(held.filter((c) => c.startsWith('director '))).toEqual(expect.arrayContaining([
      'director uname -s -r', 'director ipvsadm -Ln', 'director iptables-save -c', 'director nft list ruleset',
      'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.11', 'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.13',
      'director sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs',
      // Its lines name the interface index of each packet of the director's one capture.
      'director ip -o addr',
      // Which RIPs' MACs it holds: the SYN waits only for its pings to the others (FirstRoundWatch).
      'director ip -4 neigh show',
    ]));
    expect(held).toEqual(expect.arrayContaining(['client sh -c for t do command -v "$t" || true; done sh curl bash socat nc', 'rs2 iptables-save -c', 'rs2 nft list ruleset', 'rs2 ss -ltn']));
    // Not the realservers' ping and traceroute towards the client: the director's readings say
    // whether the SYN waits for them (a director that may redirect them), see the next test.
    expect(held.filter((c) => / (ping|traceroute) .* 10\.217\.1\.10$/.test(c))).toEqual([]);
  });

  it('lets the reads the connection neither changes nor meets run beside it, and the realservers\' ping and traceroute (the SYN waits for them only if the director may redirect them)', () => {
    const free = jobs.filter((j) => why(j) === null).map((j) => `${j.host} ${command(j)}`);
    expect(free.sort()).toEqual([
      'client ip -o addr', 'client ip route get 10.217.100.1',
      'director cat /proc/modules', 'director ip route get 10.217.1.10 from 10.217.2.11 iif rec-int',
      'director ip route get 10.217.1.10 from 10.217.2.12 iif rec-int', 'director ip route get 10.217.1.10 from 10.217.2.13 iif rec-int',
      'director ip route get 10.217.100.1 from 10.217.1.10 iif rec-ext', 'director ip rule', 'director ipvsadm -Ln --timeout',
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

// The director's neighbour table, read as its pings start, says which pings the SYN waits for:
// only those to RIPs it holds no MAC for (their ARP is what a SYN balanced there would wait
// behind). Real tables from the netns lab (fixtures/parsers/ip-neigh, SOURCES.md) against that
// lab's recorded topology (10.51.2.11-13).
describe('FirstRoundWatch: the pings the SYN waits for', () => {
  const lab = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bundles-ping/realserver.drops-pings/manifest.json'), 'utf8')) as { topology: Topology }).topology;
  const labJobs = planBeforeConnection(lab, CHECKS).filter((j) => j.host === 'director');
  const hosts = new Map(allHosts(lab).map((h) => [h.name, { name: h.name, role: h.role, access: h.access, status: 'reachable' as const, probesRun: 0 }]));
  // The watch reads only the neighbour table's content: the other readings arrive as done (what they say does not matter to it).
  const outcome = async (job: ProbeJob, stdout: string): Promise<ProbeOutcome> => ({ ok: true, host: job.host, probe: job.name, ...(job.target ? { target: job.target } : {}), command: command(job), stdout, exitCode: 0, parsed: job.name === 'neigh' ? await defaultParse(job.probe.parser, Buffer.from(stdout)) : null });
  const table = (file: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-neigh', file), 'utf8');

  /** Feeds the director's first round (`neigh` as given, null: not planned; then every other reading but the pings) and says which pings the SYN still waits for. */
  async function waitingFor(neigh: ProbeOutcome | null): Promise<string[]> {
    const watch = new FirstRoundWatch(lab, hosts, 'director', 'client');
    watch.expect('director', neigh ? labJobs : labJobs.filter((j) => j.name !== 'neigh'));
    let inn = false;
    void watch.readingsIn('director').then(() => (inn = true));
    if (neigh) watch.arrived(neigh);
    for (const j of labJobs.filter((x) => x.name !== 'neigh' && x.name !== 'ping-rip')) watch.arrived(await outcome(j, ''));
    const pending: string[] = [];
    for (const j of labJobs.filter((x) => x.name === 'ping-rip')) {
      await new Promise((r) => setImmediate(r));
      if (!inn) pending.push(j.target!);
      watch.arrived(await outcome(j, ''));
    }
    await new Promise((r) => setImmediate(r));
    expect(inn).toBe(true);
    return pending;
  }

  const neighJob = labJobs.find((j) => j.name === 'neigh')!;

  it('holds the SYN for the ping to a RIP whose ARP failed or is under way, not for the ones whose MAC the director holds', async () => {
    expect(await waitingFor(await outcome(neighJob, table('lab--director-failed.out')))).toEqual(['rs1']);
    expect(await waitingFor(await outcome(neighJob, table('lab--director-delay.out')))).toEqual(['rs1']);
  });

  it('every MAC held (the recorded run whose rs1 drops pings): the SYN waits for no ping', async () => {
    const dir = join(import.meta.dirname, '../../fixtures/bundles-ping/realserver.drops-pings');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: { host: string; argv: string[]; stdoutFile: string }[] };
    const e = manifest.entries.find((x) => x.host === 'director' && x.argv.join(' ') === 'ip -4 neigh show')!;
    expect(await waitingFor(await outcome(neighJob, readFileSync(join(dir, e.stdoutFile), 'utf8')))).toEqual([]);
  });

  it('no table (not planned, failed, or not in a bundle recorded before it existed): the SYN waits for every ping, as before', async () => {
    expect(await waitingFor(null)).toEqual(['rs1', 'rs2', 'rs3']);
    const failed: ProbeOutcome = { ok: false, host: 'director', probe: 'neigh', command: command(neighJob), failure: 'exit', message: 'ip exited 1', error: { kind: 'exit', message: 'ip exited 1' } } as ProbeOutcome;
    expect(await waitingFor(failed)).toEqual(['rs1', 'rs2', 'rs3']);
  });
});
