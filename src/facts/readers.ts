// Typed readings over the parsed probe outputs, so checks say "the route from RIP to CIP"
// rather than digging through parser shapes. Each returns undefined when the fact is unknown.
import type { VirtualService } from '../model/virtual-service.js';
import type { Topology } from '../model/topology.js';
import { virtualServicesFromIpvsadm } from '../director/from-ipvs.js';
import { virtualServicesFromIptables, virtualServicesFromNft } from '../director/from-netfilter.js';
import { firewallHitsIptables, firewallHitsNft, type FirewallHit, type Flow } from '../director/firewall-match.js';
import { inSubnet, sameAddress } from '../util/ip.js';
import type { Facts } from './facts.js';
import type { IpRouteGetResult } from '../parsers/ip-route-get.js';
import type { IpvsadmTimeout } from '../parsers/ipvsadm.js';
import { holdsMac, type NeighEntry } from '../parsers/ip-neigh.js';

export interface InterfaceAddress {
  ifname: string;
  address: string;
  prefix: number;
}

export function addresses(facts: Facts, host: string): InterfaceAddress[] | undefined {
  const parsed = facts.parsed(host, 'ip-addr');
  return parsed?.addresses.map((a) => ({ ifname: a.ifname, address: a.address, prefix: a.prefix }));
}

export function interfaceOf(facts: Facts, host: string, address: string): InterfaceAddress | undefined {
  return addresses(facts, host)?.find((a) => sameAddress(a.address, address));
}

/** The director's own addresses, the VIP among them: what the client's ARP for its next hop asks for. */
export function directorOwnAddresses(facts: Facts, topology: Topology): Set<string> {
  return new Set([topology.service.vip, ...(addresses(facts, topology.director.name) ?? []).map((a) => a.address)]);
}

/** `host`'s neighbour (ARP) entry for `address`, from its `ip -4 neigh show`; undefined when not read or not there. */
export function neighbourEntry(facts: Facts, host: string, address: string): NeighEntry | undefined {
  return facts.parsed(host, 'neigh')?.entries.find((e) => sameAddress(e.address, address));
}

/** The interface whose connected subnet holds `address` (the director's int for a RIP). */
export function connectedInterface(facts: Facts, host: string, address: string): InterfaceAddress | undefined {
  return addresses(facts, host)?.find((a) => a.prefix < 32 && inSubnet(address, a.address, a.prefix));
}

export interface RouteAnswer {
  via: string | null;
  dev: string | null;
  src: string | null;
  redirected: boolean;
  /** Set when the kernel refused: "Network is unreachable", "Invalid cross-device link" (rp_filter). */
  error: string | null;
  line: string;
}

export function routeGet(facts: Facts, host: string, probe: string, target?: string): RouteAnswer | undefined {
  const o = facts.outcome(host, probe, target);
  if (!o?.ok) return undefined;
  const answer = (o.parsed as IpRouteGetResult).results[0];
  if (!answer) return undefined;
  const line = o.stdout.split('\n').filter((l) => l.trim() !== '').join(' ').replace(/\s+/g, ' ').trim();
  return {
    via: answer.via,
    dev: answer.dev,
    src: answer.src,
    redirected: answer.redirected,
    error: answer.error === null ? null : (answer.errorMessage ?? answer.error),
    line,
  };
}

/** The director's IPVS idle timeouts (`ipvsadm -Ln --timeout`), when they were read. */
export function ipvsTimeouts(facts: Facts, host: string): IpvsadmTimeout | undefined {
  const parsed = facts.parsed(host, 'ipvsadm-timeout');
  return parsed?.format === 'ipvsadm-timeout' ? parsed : undefined;
}

/** sysctl values by dotted name. */
export function sysctls(facts: Facts, host: string): Record<string, string> | undefined {
  return facts.parsed(host, 'sysctl')?.values;
}

export function sysctlNumber(values: Record<string, string> | undefined, key: string): number | undefined {
  const v = values?.[key];
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** send_redirects is sent when `all` OR the device says so. */
export function effectiveSendRedirects(values: Record<string, string> | undefined, dev: string): number | undefined {
  const all = sysctlNumber(values, 'net.ipv4.conf.all.send_redirects');
  const d = sysctlNumber(values, `net.ipv4.conf.${dev.replace(/\./g, '/')}.send_redirects`);
  if (all === undefined && d === undefined) return undefined;
  return (all ?? 0) || (d ?? 0) ? 1 : 0;
}

/** rp_filter's effective value is the max of `all` and the device. */
export function effectiveRpFilter(values: Record<string, string> | undefined, dev: string): number | undefined {
  const all = sysctlNumber(values, 'net.ipv4.conf.all.rp_filter');
  const d = sysctlNumber(values, `net.ipv4.conf.${dev.replace(/\./g, '/')}.rp_filter`);
  if (all === undefined && d === undefined) return undefined;
  return Math.max(all ?? 0, d ?? 0);
}

/**
 * The director's strict rp_filter refuses the client's address arriving on `ext`: the kernel's
 * own answer to "a packet from CIP to the VIP on ext" (`route-get-request`) is an error, and the
 * effective rp_filter there is 1.
 */
export function strictRpFilterRefuses(facts: Facts, director: string, ext: string): boolean {
  const route = routeGet(facts, director, 'route-get-request');
  return Boolean(route?.error) && effectiveRpFilter(sysctls(facts, director), ext) === 1;
}

export type DirectorTable =
  | { kind: 'ipvs'; services: VirtualService[]; probe: 'ipvsadm' }
  | { kind: 'netfilter'; services: VirtualService[]; probe: 'iptables-save' | 'nft' }
  | { kind: 'none'; ipvsError: string | null };

/** The director's virtual services, whichever way it implements them. */
export function directorTable(facts: Facts, topology: Topology): DirectorTable | undefined {
  const d = topology.director.name;
  const ipvs = facts.parsed(d, 'ipvsadm');
  if (ipvs?.format === 'ipvsadm') {
    const services = virtualServicesFromIpvsadm(ipvs);
    if (services.length > 0 || !hasNetfilterLb(facts, d)) return { kind: 'ipvs', services, probe: 'ipvsadm' };
  }
  const ipt = facts.parsed(d, 'iptables-save');
  const iptServices = ipt ? virtualServicesFromIptables(ipt) : [];
  if (iptServices.length > 0) return { kind: 'netfilter', services: iptServices, probe: 'iptables-save' };
  const nft = facts.parsed(d, 'nft');
  const nftServices = nft ? virtualServicesFromNft(nft) : [];
  if (nftServices.length > 0) return { kind: 'netfilter', services: nftServices, probe: 'nft' };
  if (ipvs?.format === 'ipvsadm') return { kind: 'ipvs', services: [], probe: 'ipvsadm' };
  if (!ipvs && !ipt && !nft) return undefined;
  return { kind: 'none', ipvsError: ipvs?.format === 'ipvsadm-error' ? ipvs.message : null };
}

function hasNetfilterLb(facts: Facts, director: string): boolean {
  const ipt = facts.parsed(director, 'iptables-save');
  const nft = facts.parsed(director, 'nft');
  return (ipt ? virtualServicesFromIptables(ipt).length > 0 : false) || (nft ? virtualServicesFromNft(nft).length > 0 : false);
}

/** The service under test in the director's table. */
export function serviceUnderTest(table: DirectorTable, topology: Topology): VirtualService | undefined {
  if (table.kind === 'none') return undefined;
  const { vip, vport, fwmark, protocol } = topology.service;
  return table.services.find((s) =>
    fwmark !== undefined ? s.protocol === 'FWM' && s.fwmark === fwmark : s.address === vip && s.port === vport && s.protocol === protocol,
  );
}

/** The director's table and the service under test in it, when both could be read. */
export function tableAndService(facts: Facts, topology: Topology): { table: Exclude<DirectorTable, { kind: 'none' }>; svc: VirtualService } | undefined {
  const table = directorTable(facts, topology);
  if (!table || table.kind === 'none') return undefined;
  const svc = serviceUnderTest(table, topology);
  return svc ? { table, svc } : undefined;
}

/** ipvsadm's way to name a virtual service on its command line (-t VIP:PORT / -f MARK). */
export function ipvsadmServiceFlag(svc: VirtualService): string {
  return svc.fwmark !== null ? `-f ${svc.fwmark}` : `-t ${svc.address}:${svc.port}`;
}

export interface Listener {
  address: string;
  port: number;
}

export function listeners(facts: Facts, host: string): Listener[] | undefined {
  const parsed = facts.parsed(host, 'ss-listen');
  if (!parsed) return undefined;
  return parsed.sockets
    .filter((s) => /LISTEN/i.test(s.state))
    .filter((s) => s.local.port !== null)
    .map((s) => ({ address: s.local.address, port: s.local.port! }));
}

export function listensOn(list: Listener[], address: string, port: number): Listener | undefined {
  return list.find((l) => l.port === port && ['*', '0.0.0.0', '::', address, `::ffff:${address}`].includes(l.address));
}

export interface PingReading {
  transmitted: number;
  received: number;
  redirectNexthop: string | null;
  error: string | null;
}

export function pingReading(facts: Facts, host: string, probe: 'ping-client' | 'ping-rip', target?: string): PingReading | undefined {
  const parsed = facts.parsed(host, probe, target);
  if (!parsed) return undefined;
  const redirect = parsed.errors.find((e) => /redirect/i.test(e.kind));
  return {
    transmitted: parsed.transmitted ?? 0,
    received: parsed.received ?? 0,
    redirectNexthop: redirect?.newNexthop ?? null,
    error: parsed.connectError?.message ?? parsed.errors[0]?.kind ?? null,
  };
}

/**
 * The RIPs a SYN balanced now may wait behind ARP for with every request of it before the
 * captures (src/facts/rip-arp.ts, ripArpUnseen): of the realservers the director pings
 * (`pinged`, by name), those on one of its subnets (a routed RIP has no ARP of its own; unknown
 * while its addresses are not read), with no MAC in its neighbour table as the pings started (or
 * no table), whose ping has not come back answered.
 */
export function ripsBeingResolved(facts: Facts, topology: Topology, pinged: ReadonlySet<string>): Set<string> {
  const d = topology.director.name;
  const own = addresses(facts, d);
  return new Set(
    topology.realservers
      .filter((rs) => pinged.has(rs.name))
      .filter((rs) => own === undefined || connectedInterface(facts, d, rs.rip) !== undefined)
      .filter((rs) => {
        const entry = neighbourEntry(facts, d, rs.rip);
        return !(entry !== undefined && holdsMac(entry)) && (pingReading(facts, d, 'ping-rip', rs.name)?.received ?? 0) === 0;
      })
      .map((rs) => rs.rip),
  );
}

/** The RIPs the director pinged from its DIP (Q.1) and got no answer from (see src/facts/rip-arp.ts). */
export function ripsPingUnanswered(facts: Facts, topology: Topology): Set<string> {
  const d = topology.director.name;
  return new Set(topology.realservers.filter((rs) => pingReading(facts, d, 'ping-rip', rs.name)?.received === 0).map((rs) => rs.rip));
}

/** The addresses of each traceroute hop (null for '*'). */
export function tracerouteHops(facts: Facts, host: string): (string | null)[] | undefined {
  const parsed = facts.parsed(host, 'traceroute-client');
  return parsed?.hops.map((h) => h.probes.find((p) => p.address)?.address ?? null);
}

export function kernelModules(facts: Facts, host: string): Set<string> | undefined {
  const parsed = facts.parsed(host, 'modules');
  return parsed ? new Set(parsed.modules.map((m) => m.name)) : undefined;
}

/** DROP/REJECT rules (iptables or nft) that can match a flow on a host, with counters. */
export function firewallHits(facts: Facts, host: string, flow: Flow): FirewallHit[] | undefined {
  const ipt = facts.parsed(host, 'iptables-save');
  const nft = facts.parsed(host, 'nft');
  if (!ipt && !nft) return undefined;
  const iptHits = ipt ? firewallHitsIptables(ipt, flow) : [];
  // iptables-nft ("iptables-save v1.8 (nf_tables)") keeps its tables in nf_tables: `nft list
  // ruleset` shows the same rules again as `ip filter`, `ip nat`, ... Those are not other rules.
  const saveOutput = facts.outcome(host, 'iptables-save');
  const viaNft = saveOutput?.ok === true && /^# Generated by iptables-save v\S+ \(nf_tables\)/m.test(saveOutput.stdout);
  const iptTables = new Set(ipt?.tables.map((t) => t.name) ?? []);
  const nftHits = (nft ? firewallHitsNft(nft, flow) : []).filter((h) => !(viaNft && /^ip /.test(h.table) && iptTables.has(h.table.split(' ')[1])));
  const seen = new Set<string>();
  return [...iptHits, ...nftHits].filter((h) => (seen.has(h.text) ? false : (seen.add(h.text), true)));
}

export function describeHit(h: FirewallHit): string {
  const counters = h.counters ? ` [${(h.counters as { packets?: number }).packets ?? '?'} packets]` : '';
  return `${h.table}/${h.chain} line ${h.line}: ${h.text}${counters}${h.certain ? '' : ' (may match)'}`;
}

/** The kernel's release (`uname -r`) and its major.minor, when the host said it. */
export function kernelVersion(facts: Facts, host: string): { release: string; major: number; minor: number } | undefined {
  const release = facts.parsed(host, 'uname')?.release;
  const m = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  return release && m ? { release, major: Number(m[1]), minor: Number(m[2]) } : undefined;
}
