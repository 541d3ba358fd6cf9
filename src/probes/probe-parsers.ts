// Which parser reads each named probe, so that what a check reads from Facts has the type its
// parser returns: `facts.parsed(host, 'ip-rule')` is an IpRuleResult, with no cast. The engine's
// catalog (src/engine/probe-catalog.ts) builds these probes; a test holds every built probe's
// parser id to this table, and the catalog's keys to its names.
import { conntrackParser } from '../parsers/conntrack.js';
import { ipAddrParser } from '../parsers/ip-addr.js';
import { ipLinkParser } from '../parsers/ip-link.js';
import { ipNeighParser } from '../parsers/ip-neigh.js';
import { ipRouteGetParser } from '../parsers/ip-route-get.js';
import { ipRouteParser } from '../parsers/ip-route.js';
import { ipRuleParser } from '../parsers/ip-rule.js';
import { iptablesSaveParser } from '../parsers/iptables-save.js';
import { ipvsadmParser } from '../parsers/ipvsadm.js';
import { nftParser } from '../parsers/nft.js';
import { nstatParser } from '../parsers/nstat.js';
import { pingParser } from '../parsers/ping.js';
import { procIpVsParser } from '../parsers/proc-ip-vs.js';
import { ssParser } from '../parsers/ss.js';
import { sysctlParser } from '../parsers/sysctl.js';
import { tracerouteParser } from '../parsers/traceroute.js';
import { procModulesParser, toolsParser, unameParser } from './own-parsers.js';

export const PROBE_PARSERS = {
  'ip-addr': ipAddrParser,
  'ip-link': ipLinkParser,
  'ip-route': ipRouteParser,
  'ip-rule': ipRuleParser,
  /** The director: which RIPs' MACs it holds (the SYN waits only for its pings to the others). */
  neigh: ipNeighParser,
  sysctl: sysctlParser,
  'iptables-save': iptablesSaveParser,
  /** The mangle table after the test connection (q3.fwmark: this run's packets). */
  'iptables-mangle-after': iptablesSaveParser,
  nft: nftParser,
  'nstat-before': nstatParser,
  'nstat-after': nstatParser,
  modules: procModulesParser,
  ipvsadm: ipvsadmParser,
  'ipvsadm-stats': ipvsadmParser,
  'ipvsadm-timeout': ipvsadmParser,
  /** ipvsadm reads every listing form (or its error): a reader checks `format`. */
  'ipvsadm-conn': ipvsadmParser,
  'proc-ip-vs': procIpVsParser,
  conntrack: conntrackParser,
  'ss-listen': ssParser,
  'route-get-vip': ipRouteGetParser,
  'route-get-client': ipRouteGetParser,
  'ping-client': pingParser,
  'traceroute-client': tracerouteParser,
  'ping-rip': pingParser,
  'route-get-reply': ipRouteGetParser,
  'route-get-request': ipRouteGetParser,
  /** Every host: is it Linux (the engine plans it outside the catalog). */
  uname: unameParser,
  /** The client: which connect tools it has (the engine plans it outside the catalog). */
  'connect-tools': toolsParser,
} as const;

/** Every name a probe's outcome is recorded under in Facts. */
export type FactName = keyof typeof PROBE_PARSERS;

/** What the parser of probe P returns. */
export type ProbeResult<P extends FactName> = ReturnType<(typeof PROBE_PARSERS)[P]['parse']>;
