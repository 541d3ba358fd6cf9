// Issue 12: the captures start while the first round of probes runs, and the test connection
// goes as soon as every capture listens and every first-round reading that must come before
// its first SYN is in. This file says which readings those are, and watches them arrive.
//
// A reading must be in before the first SYN when the connection would change its value or
// when its own packets would meet the connection:
// - counters the connection's packets add to: `iptables-save -c` and `nft list ruleset` (rule
//   counters: q3.fwmark compares the MARK rule's before and after the connection, the firewall
//   checks quote them), `ipvsadm -Ln` (ActiveConn/InActConn), /proc/net/ip_vs (the same),
//   `nstat` (before/after deltas), and `ss -ltn` (a listener's Recv-Q holds a connection not
//   yet accepted). The connection table (`ipvsadm -Lnc`, `conntrack -L`) and the counters read
//   again are after-probes: they wait for the connection by design.
// - the director's neighbour table (`ip -4 neigh show`, read as its pings to the RIPs start):
//   for a dead RIP the ping starts the ARP that a SYN balanced to it then waits behind (its
//   echoes are left out of the captures by the BPF: capture.ts, withoutProbes), often before the
//   captures listen. The SYN does not wait for those pings: the table says which RIPs the
//   director was resolving (`unresolvedRips` below), and a SYN that was not forwarded is not
//   decided silent while one of them has no request of the director on the capture
//   (src/facts/rip-arp.ts, ripArpUnseen): without that, such a SYN was decided silent with
//   nothing on the wire to say why, and the diagnosis rested on the ping alone, less certain.
//   The kernel asks again a second after its first request, as the ping ends unanswered: the
//   connection is then decided with that request as evidence (fixtures/bundles-ping/realserver.unreachable-syn-first).
//   The pings run beside the reads (src/transport/ssh-batch.ts), which are not held behind them.
// - not the realservers' ping and traceroute towards the client, though they put packets on
//   the wire: they run beside their host's reads, and whether the SYN waits for them is the
//   director's to say (probes-alongside.ts: one that may answer them with a redirect makes the
//   SYN wait for the whole first round; src/engine/run.ts, probeWhileCapturing). Too many
//   realservers for the director's ICMP budget, or --trace-drops, and this first round is not
//   used at all: they keep their place before the captures.
// - what the run needs to make the connection at all: every host's `uname` (a host that is
//   not Linux or did not answer is left out, the client included), the client's connect tools,
//   and, while the realservers' Q.1/Q.2 probes wait, what decides whether they may run
//   alongside (the director's sysctls, then its `ip route get` of the replies if the sysctls
//   do not decide it).
// - the director's `ip -o addr`: its lines give each interface's index, which names the side
//   each packet of the director's one capture came by (director-sides.ts); the wire's decision
//   needs that as soon as the first SYN is on the wire.
// Everything else (`ip addr` elsewhere, `ip link/route/rule`, `sysctl` elsewhere, /proc/modules,
// `ipvsadm -Ln --timeout`, the route lookups) reads state the connection does not touch and sends nothing:
// it may still be running when the connection starts.
import type { ProbeOutcome } from '../probes/runner.js';
import type { Topology } from '../model/topology.js';
import type { HostStatus } from '../model/result.js';
import { Facts } from '../facts/facts.js';
import type { ProbeName } from './probe-catalog.js';
import type { ProbeJob } from './probe-plan.js';
import { CONNECT_TOOLS_FACT } from './test-connection.js';
import { deferred, type Deferred } from '../util/deferred.js';
import { ripsBeingResolved } from '../facts/readers.js';

/** Why a first-round reading must be in before the first SYN; null: it need not. */
export type BeforeConnection = 'arp' | 'counters' | 'host' | 'order' | 'names' | null;

const COUNTERS: ReadonlySet<string> = new Set<ProbeName>(['iptables-save', 'nft', 'ipvsadm', 'proc-ip-vs', 'nstat-before', 'ss-listen']);

/**
 * Why `job` (a first-round probe) must be over before the test connection's first SYN, or
 * null. `director`: the director's name (its sysctls decide whether the realservers' Q.1/Q.2
 * probes may wait, when they do).
 */
export function beforeConnection(job: Pick<ProbeJob, 'host' | 'name'>, director: string, client: string): BeforeConnection {
  // Which RIPs the director was resolving as its pings started (FirstRoundWatch.unresolvedRips).
  if (job.host === director && job.name === 'neigh') return 'arp';
  if (COUNTERS.has(job.name)) return 'counters';
  if (job.name === 'uname' || (job.host === client && job.name === CONNECT_TOOLS_FACT)) return 'host';
  if (job.host === director && job.name === 'sysctl') return 'order';
  if (job.host === director && job.name === 'ip-addr') return 'names';
  return null;
}

/**
 * The order a host's first-round batch runs in: what the SYN waits for, then the rest, then the
 * director's pings to the RIPs. They run beside the others (the last few of a batch start with it,
 * as the stages of a pipeline: src/transport/ssh-batch.ts), so their ARP still starts first; any
 * beyond those run last in turn, behind no reading the SYN waits for.
 */
export function orderForConnection(jobs: readonly ProbeJob[], director: string, client: string): ProbeJob[] {
  const rank = (j: ProbeJob): number => {
    if (j.name === 'ping-rip') return 2;
    return beforeConnection(j, director, client) !== null ? 0 : 1;
  };
  return jobs.map((j, i) => ({ j, i, r: rank(j) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.j);
}

/**
 * Watches the first round: each outcome as it arrives (the run's own facts are recorded per
 * host once its whole batch is in, in the order the checks have always seen them), and each
 * host's batch as it ends.
 */
export class FirstRoundWatch {
  /** The outcomes in so far (a view for the decisions taken before the round is over). */
  readonly seen: Facts;
  private readonly waiting = new Map<string, Set<string>>();
  private readonly hostIn = new Map<string, Deferred>();
  private readonly hostEnded = new Map<string, Deferred>();
  /** The realservers the director pings in this round. */
  private readonly pinged = new Set<string>();

  constructor(
    private readonly topology: Topology,
    hosts: Map<string, HostStatus>,
    private readonly director: string,
    private readonly client: string,
  ) {
    this.seen = new Facts(topology, hosts);
  }

  /** The jobs `host` runs in the first round; those the SYN waits for are counted. */
  expect(host: string, jobs: readonly ProbeJob[]): void {
    if (host === this.director) for (const j of jobs) if (j.name === 'ping-rip' && j.target !== undefined) this.pinged.add(j.target);
    const keys = new Set(jobs.filter((j) => beforeConnection(j, this.director, this.client) !== null).map((j) => jobKey(j.name, j.target)));
    // uname runs with every host's first probes whether planned or not.
    keys.add(jobKey('uname'));
    this.waiting.set(host, keys);
  }

  arrived(outcome: ProbeOutcome): void {
    this.seen.record(outcome);
    const keys = this.waiting.get(outcome.host);
    if (!keys) return;
    keys.delete(jobKey(outcome.probe, outcome.target));
    if (keys.size === 0) this.deferred(this.hostIn, outcome.host).resolve();
  }

  /** The RIPs the director was still resolving, from what has come in so far (readers.ts, ripsBeingResolved). */
  unresolvedRips(): Set<string> {
    return ripsBeingResolved(this.seen, this.topology, this.pinged);
  }

  /** `host`'s first round is over (its facts recorded, its status known). */
  ended(host: string): void {
    this.deferred(this.hostIn, host).resolve();
    this.deferred(this.hostEnded, host).resolve();
  }

  /** Resolves once every reading of `host` that the SYN waits for is in (or its round ended without them). */
  readingsIn(host: string): Promise<void> {
    return this.deferred(this.hostIn, host).promise;
  }

  /** Resolves once `host`'s first round is over. */
  roundEnded(host: string): Promise<void> {
    return this.deferred(this.hostEnded, host).promise;
  }

  private deferred(map: Map<string, Deferred>, host: string): Deferred {
    let d = map.get(host);
    if (!d) {
      d = deferred();
      map.set(host, d);
    }
    return d;
  }
}

function jobKey(name: string, target?: string): string {
  return target === undefined ? name : `${name}\u0000${target}`;
}
