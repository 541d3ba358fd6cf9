// Which Q.1/Q.2 probes may run while the captures and the test connection do, instead of
// before them (issue 12: a realserver's ping and traceroute towards an unreachable client
// take 1-2.3 s, and the test connection does not need them).
//
// What a probe running alongside must not do, and why these do not:
// - land in a capture: the captures leave out what ping and traceroute put on the wire
//   (src/probes/capture.ts, withoutProbes), so the -c bound, the wire decision and the hop
//   analysis see only the test connection's own packets and the ICMP errors about it;
// - change what the test connection meets. A realserver's ping towards the client makes a
//   one-network director send it an ICMP redirect (forwarded back out the interface it came
//   in on): the realserver may then cache it and bypass the director, and the director's
//   rate limit on redirects to that realserver may swallow the one the test connection's
//   reply would draw. So they run alongside only when the first round shows the director
//   cannot redirect them: send_redirects off on int, or their route to the client leaving by
//   another interface (two networks); otherwise they stay before the captures, as before.
// - reach a --trace-drops trace, which has no filter to leave them out (mayRunAlongside);
// - eat an ICMP budget the test connection needs: with many realservers their traceroutes
//   would (MAX_REALSERVERS_ALONGSIDE).
// - The director's own probes (ping-rip, its `ip route get`s) stay before the captures: a
//   ping to a RIP that does not answer starts the director's ARP for it, the SYN the director
//   then balances to that RIP waits behind that ARP, and the ping's unanswered second lets the
//   wire decide it at once (src/facts/rip-arp.ts; its ICMP host unreachable, when that ARP
//   fails, comes about a second into the test connection: fixtures/bundles/realserver.unreachable).
//   With the captures started early, the SYN waits for the pings to the RIPs whose MAC the
//   director does not hold (src/engine/before-connection.ts).
import type { Topology } from '../model/topology.js';
import { PROBES_LEFT_OUT_MARK } from '../probes/capture.js';
import type { DerivedParams, Facts } from '../facts/facts.js';
import { effectiveSendRedirects, routeGet, sysctls } from '../facts/readers.js';
import { isIPv4 } from '../util/ip.js';
import type { ProbeName } from './probe-catalog.js';
import { recordedWithDropTraces } from './drop-trace-phase.js';
import type { TestConnectionOptions } from './test-connection.js';

/** The realservers' Q.1/Q.2 probes towards the client (the route lookup has no packets; it keeps its host's batch). */
export const TOWARDS_CLIENT: ReadonlySet<ProbeName> = new Set<ProbeName>(['ping-client', 'traceroute-client', 'route-get-client']);

/**
 * Whether the captures can leave the probes out: a TCP service over IPv4, where the test
 * connection's own ICMP errors quote TCP and the probes' packets are ICMP echo and UDP.
 * `wanted`: live runs do; a replay does as its bundle was recorded (recordedLeavingProbesOut).
 */
export function capturesLeaveProbesOut(topology: Topology, derived: DerivedParams, wanted: boolean): boolean {
  if (!wanted || topology.service.protocol !== 'TCP' || derived.cip === null) return false;
  return [topology.service.vip, derived.cip, ...topology.realservers.map((r) => r.rip)].every((a) => isIPv4(a));
}

/**
 * The after-probes that count packets the realservers' probes towards the client may add on the
 * director (a MARK rule's counter, nstat's): they are read once those probes are over, as the
 * before-readings were (or were not) after them. The connection tables need not wait.
 */
export const COUNTS_PROBES_PACKETS: ReadonlySet<ProbeName> = new Set<ProbeName>(['iptables-mangle-after', 'nstat-after']);

/** Beyond this many realservers their traceroutes' time-exceeded (one each from the director) would eat the director's ICMP error burst (net.ipv4.icmp_msgs_burst, 50) that the test connection's own errors need. */
export const MAX_REALSERVERS_ALONGSIDE = 16;

/**
 * Whether the realservers' probes towards the client can draw no ICMP redirect from the
 * director, from the first round: its effective send_redirects on int is 0, or every
 * realserver's packets to the client (`ip route get CIP from RIP iif int`) leave by another
 * interface than int. Anything unknown: they can.
 */
export function probesDrawNoRedirect(topology: Topology, facts: Facts, derived: DerivedParams): boolean {
  const d = topology.director.name;
  const { int } = derived;
  if (int === null) return false;
  if (effectiveSendRedirects(sysctls(facts, d), int) === 0) return true;
  return topology.realservers.every((rs) => {
    const route = routeGet(facts, d, 'route-get-reply', rs.name);
    return route !== undefined && route.error === null && route.dev !== null && route.dev !== int;
  });
}

/**
 * Whether the realservers' probes towards the client may wait for the first round (then run
 * alongside, or before the captures if they draw redirects). Not with --trace-drops: a drop
 * trace cannot leave them out, and a traceroute probe the client drops (no socket) is a drop
 * between a RIP and CIP, which src/facts/drop-match.ts takes for the test connection's.
 */
export function mayRunAlongside(topology: Topology, leftOut: boolean, tracingDrops: boolean): boolean {
  return leftOut && !tracingDrops && topology.realservers.length <= MAX_REALSERVERS_ALONGSIDE;
}

/** The realservers' probes towards the client run alongside the captures (this run leaves them out of the captures and traces no drops, and they draw no redirect). */
export function towardsClientAlongside(topology: Topology, facts: Facts, derived: DerivedParams, leftOut: boolean, tracingDrops: boolean): boolean {
  return mayRunAlongside(topology, leftOut, tracingDrops) && probesDrawNoRedirect(topology, facts, derived);
}

/** Whether a recorded bundle's captures left the probes out (a replay must ask for the same captures). */
export function recordedLeavingProbesOut(replay: { recordedWith(word: string): boolean }): boolean {
  return replay.recordedWith(PROBES_LEFT_OUT_MARK);
}

/** A replay's test connection as its bundle was recorded: the same captures, with drop traces if it had them. */
export function recordedTestConnection(replay: { recordedWith(word: string): boolean }): TestConnectionOptions {
  return { leaveProbesOut: recordedLeavingProbesOut(replay), ...(recordedWithDropTraces(replay) ? { traceDrops: true } : {}) };
}
