// Binds probe names (what checks ask for) to commands for a role's hosts. The builders in
// src/probes/ validate every value; this file only decides which host gets which probe, when
// (before or after the test connection), and with which addresses from the topology.
import type { HostSpec, RealserverSpec, Topology } from '../model/topology.js';
import { conntrackList } from '../probes/conntrack.js';
import { defineProbe, SHORT_MS } from '../probes/define.js';
import { ipAddr } from '../probes/ip-addr.js';
import { ipLink } from '../probes/ip-link.js';
import { ipRouteGet } from '../probes/ip-route-get.js';
import { ipRouteAll } from '../probes/ip-route.js';
import { ipRule } from '../probes/ip-rule.js';
import { ipNeigh } from '../probes/ip-neigh.js';
import { iptablesSave, iptablesSaveMangle } from '../probes/iptables-save.js';
import { ipvsadmConnections, ipvsadmList, ipvsadmStats, ipvsadmTimeout } from '../probes/ipvsadm.js';
import { procModules } from '../probes/modules.js';
import { nftRuleset } from '../probes/nft.js';
import { nstat } from '../probes/nstat.js';
import { ping } from '../probes/ping.js';
import type { ProbeCommand } from '../probes/probe.js';
import type { FactName } from '../probes/probe-parsers.js';
import { procIpVs } from '../probes/proc-ip-vs.js';
import { ssListen } from '../probes/ss.js';
import { traceroute } from '../probes/traceroute.js';
import { sysctlName } from '../probes/validate.js';

import type { DerivedParams } from '../facts/facts.js';

export type { DerivedParams };

export interface ProbeBuildContext {
  topology: Topology;
  host: HostSpec;
  derived: DerivedParams;
  target?: RealserverSpec;
}

export interface CatalogEntry {
  /** first: needs nothing derived; second: needs CIP/interfaces; after: read after the test connection. */
  phase: 'first' | 'second' | 'after';
  /** Probes run once per realserver target on the host (director pinging each RIP). */
  perRealserver?: boolean;
  build(ctx: ProbeBuildContext): ProbeCommand | null;
}

function sysctlAll(): ProbeCommand {
  // The whole conf tree: every interface's rp_filter/send_redirects without knowing names first.
  const keys = ['net.ipv4.ip_forward', 'net.ipv4.conf', 'net.ipv4.vs'].map(sysctlName);
  return defineProbe({ key: 'sysctl-all', argv: ['sysctl', '-e', ...keys], parser: 'sysctl', timeoutMs: SHORT_MS, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true });
}

export const PROBE_CATALOG = {
  'ip-addr': { phase: 'first', build: () => ipAddr() },
  'ip-link': { phase: 'first', build: () => ipLink() },
  'ip-route': { phase: 'first', build: () => ipRouteAll() },
  'ip-rule': { phase: 'first', build: () => ipRule() },
  neigh: { phase: 'first', build: () => ipNeigh() },
  sysctl: { phase: 'first', build: () => sysctlAll() },
  'iptables-save': { phase: 'first', build: () => iptablesSave() },
  /** Director of a firewall-mark service: the MARK rules' counters after the test connection. */
  'iptables-mangle-after': { phase: 'after', build: ({ topology }) => (topology.service.fwmark === undefined ? null : iptablesSaveMangle()) },
  nft: { phase: 'first', build: () => nftRuleset() },
  'nstat-before': { phase: 'first', build: () => ({ ...nstat(), key: 'nstat-before' }) },
  'nstat-after': { phase: 'after', build: () => ({ ...nstat(), key: 'nstat-after' }) },
  modules: { phase: 'first', build: () => procModules() },
  ipvsadm: { phase: 'first', build: () => ipvsadmList() },
  'ipvsadm-stats': { phase: 'after', build: () => ipvsadmStats() },
  /** The director's TCP, TCP-FIN and UDP idle timeouts (director.untranslated-leak: did the entry expire?). */
  'ipvsadm-timeout': { phase: 'first', build: () => ipvsadmTimeout() },
  'ipvsadm-conn': { phase: 'after', build: () => ipvsadmConnections() },
  'proc-ip-vs': { phase: 'first', build: () => procIpVs('ip_vs') },
  conntrack: { phase: 'after', build: () => conntrackList() },
  'ss-listen': { phase: 'first', build: () => ssListen() },
  /** Client: which source address and route it uses towards the VIP. */
  'route-get-vip': { phase: 'first', build: ({ topology }) => ipRouteGet({ to: topology.service.vip }) },
  /** Realserver Q.1/Q.2: the route its replies take to the client. */
  'route-get-client': {
    phase: 'second',
    build: ({ host, derived }) => (derived.cip && isRealserver(host) ? ipRouteGet({ to: derived.cip, from: host.rip }) : null),
  },
  'ping-client': {
    phase: 'second',
    build: ({ host, derived }) => (derived.cip && isRealserver(host) ? ping(host.rip, derived.cip, { beside: true }) : null),
  },
  'traceroute-client': {
    phase: 'second',
    build: ({ host, derived }) => (derived.cip && isRealserver(host) ? traceroute(host.rip, derived.cip) : null),
  },
  /** Director: can it reach each RIP at all (realserver.unreachable), from the DIP. */
  'ping-rip': {
    phase: 'second',
    perRealserver: true,
    build: ({ target, derived }) => (target && derived.dip ? ping(derived.dip, target.rip, { beside: true }) : null),
  },
  /** Director: how a reply from RIP to CIP arriving on int is routed (rp_filter, forwarding). */
  'route-get-reply': {
    phase: 'second',
    perRealserver: true,
    build: ({ target, derived }) =>
      target && derived.cip && derived.int ? ipRouteGet({ to: derived.cip, from: target.rip, iif: derived.int }) : null,
  },
  /** Director: would the client's request arriving on ext be accepted (rp_filter says no with an error). */
  'route-get-request': {
    phase: 'second',
    build: ({ topology, derived }) =>
      derived.cip && derived.ext ? ipRouteGet({ to: topology.service.vip, from: derived.cip, iif: derived.ext }) : null,
  },
} satisfies Record<CatalogProbe, CatalogEntry>;

/** The catalog's probes: every name of PROBE_PARSERS but those the engine plans itself. */
type CatalogProbe = Exclude<FactName, 'uname' | 'connect-tools'>;

export type ProbeName = keyof typeof PROBE_CATALOG;

function isRealserver(host: HostSpec): host is RealserverSpec {
  return host.role === 'realserver';
}
