// From the outputs read in a paste to the Facts the checks read: who is the director (whoever
// printed the IPVS table), which virtual service and realservers (from that table), which host
// printed what (from the prompts, or from an address only that host holds), and the values the
// checks derive (the client's address from the connection table). Everything is a snapshot:
// no test connection ran, so Facts.snapshotOnly tells the checks to judge what they can at
// lower certainty. An output whose host cannot be told is reported and left out, never guessed.
import type { HostStatus } from '../model/result.js';
import type { ClientSpec, DirectorSpec, RealserverSpec, Topology } from '../model/topology.js';
import { Facts } from '../facts/facts.js';
import { deriveParams } from '../facts/derive.js';
import type { ProbeName } from '../engine/probe-catalog.js';
import type { IpvsadmConnections, IpvsadmListing, IpvsadmSave } from '../parsers/ipvsadm.js';
import type { IpAddrResult } from '../parsers/ip-addr.js';
import type { KeepalivedConf } from '../parsers/keepalived.js';
import type { IpRoute, IpRouteResult } from '../parsers/ip-route.js';
import type { IpRouteGetResult, RouteGetAnswer } from '../parsers/ip-route-get.js';
import type { NetToolsRouteTable } from '../parsers/route-n.js';
import { inSubnet, isIP, normalizeIp, sameAddress } from '../util/ip.js';

/** One output of the paste as detect() read it, with where it came from. */
export interface ReadOutput {
  index: number;
  command: string | null;
  host: string | null;
  firstLine: number;
  text: string;
  parser: string | null;
  result: unknown;
}

export interface ExplainFacts {
  topology: Topology;
  facts: Facts;
  /** Per output index: the topology host it was used for, or why it was not used. */
  use: Map<number, { host: string } | { unused: string }>;
  notes: string[];
}

const DIRECTOR_ONLY = new Set(['ipvsadm', 'proc-ip-vs', 'proc-ip-vs-conn', 'proc-ip-vs-stats', 'keepalived', 'ldirectord', 'lvs-conf']);

interface Service {
  /** The output it was read from (its index in the paste). */
  index?: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  vip: string;
  vport: number;
  rips: { rip: string; rport: number }[];
  from: string;
}

function serviceFromListing(l: IpvsadmListing): Service | null {
  const usable = l.services.filter((s) => s.protocol !== 'FWM' && s.address !== null && isIP(s.address) && typeof s.port === 'number');
  // LVS-NAT is what the doctor diagnoses: a service with Masq destinations first.
  const chosen = usable.find((s) => s.destinations.some((d) => d.forward === 'Masq')) ?? usable[0];
  if (!chosen) return null;
  const rips = chosen.destinations.filter((d) => isIP(d.address) && typeof d.port === 'number').map((d) => ({ rip: d.address, rport: d.port as number }));
  return { protocol: chosen.protocol as Service['protocol'], vip: chosen.address!, vport: chosen.port as number, rips, from: 'ipvsadm -L' };
}

function serviceFromSave(s: IpvsadmSave): Service | null {
  const chosen = s.services.find((x) => x.protocol !== 'FWM' && x.address !== null && typeof x.port === 'number' && x.destinations.some((d) => d.forward === 'Masq')) ??
    s.services.find((x) => x.protocol !== 'FWM' && x.address !== null && typeof x.port === 'number');
  if (!chosen) return null;
  const rips = chosen.destinations.filter((d) => typeof d.port === 'number').map((d) => ({ rip: d.address, rport: d.port as number }));
  return { protocol: chosen.protocol as Service['protocol'], vip: chosen.address!, vport: chosen.port as number, rips, from: 'ipvsadm -S' };
}

function serviceFromConnections(c: IpvsadmConnections): Service | null {
  const count = new Map<string, { vip: string; vport: number; protocol: string; rips: Map<string, number> }>();
  for (const e of c.connections) {
    if (typeof e.virtual.port !== 'number' || typeof e.destination.port !== 'number' || !isIP(e.virtual.address)) continue;
    const key = `${e.protocol} ${e.virtual.address} ${e.virtual.port}`;
    const entry = count.get(key) ?? { vip: e.virtual.address, vport: e.virtual.port, protocol: e.protocol, rips: new Map() };
    entry.rips.set(e.destination.address, e.destination.port);
    count.set(key, entry);
  }
  const best = [...count.values()].filter((v) => v.protocol === 'TCP' || v.protocol === 'UDP' || v.protocol === 'SCTP').sort((a, b) => b.rips.size - a.rips.size)[0];
  if (!best) return null;
  return { protocol: best.protocol as Service['protocol'], vip: best.vip, vport: best.vport, rips: [...best.rips].map(([rip, rport]) => ({ rip, rport })), from: 'ipvsadm -Lnc' };
}

function serviceFromKeepalived(k: KeepalivedConf): Service | null {
  const usable = k.virtualServers.filter((v) => v.address !== null && v.port !== null);
  const chosen = usable.find((v) => v.method === 'NAT') ?? usable[0];
  if (!chosen) return null;
  const protocol = (chosen.protocol ?? 'TCP') as Service['protocol'];
  const rips = chosen.realServers.map((r) => ({ rip: r.address, rport: r.port ?? chosen.port! }));
  return { protocol, vip: chosen.address!, vport: chosen.port!, rips, from: 'keepalived.conf' };
}

/** The addresses an output proves its host holds (ip addr; ip route's `src`). */
function heldAddresses(o: ReadOutput): string[] {
  if (o.parser === 'ip-addr') return (o.result as IpAddrResult).addresses.map((a) => a.address);
  if (o.parser === 'ip-route') return (o.result as IpRouteResult).routes.flatMap((r) => (r.src ? [r.src] : []));
  return [];
}

/** The route a table would pick for `to` (longest prefix, lowest metric): what `ip route get` answers. */
function lookup<T extends { prefix: number; metric: number | null }>(routes: T[], matches: (r: T) => boolean): T | undefined {
  return routes.filter(matches).sort((a, b) => b.prefix - a.prefix || (a.metric ?? 0) - (b.metric ?? 0))[0];
}

function routeFromIpRoute(r: IpRouteResult, to: string): { answer: RouteGetAnswer; line: number } | null {
  const candidates = r.routes
    .filter((x) => (x.table === null || x.table === 'main') && (x.type === 'unicast' || x.type === 'unreachable' || x.type === 'prohibit' || x.type === 'blackhole'))
    .map((x) => ({ route: x, ...prefixOf(x) }))
    .filter((x): x is { route: IpRoute; network: string; prefix: number } => x.network !== null);
  const best = lookup(candidates.map((c) => ({ ...c, metric: c.route.metric })), (c) => inSubnet(to, c.network, c.prefix));
  if (!best) return null;
  const x = best.route;
  const error = x.type === 'unicast' ? null : x.type === 'prohibit' ? 'permission-denied' : x.type === 'blackhole' ? 'invalid-argument' : 'no-route-to-host';
  return { answer: { ...x, type: x.type, destination: to, redirected: false, cacheFlags: [], cache: false, error, errorMessage: null, line: x.line }, line: x.line };
}

function prefixOf(r: IpRoute): { network: string | null; prefix: number } {
  if (r.destination === 'default') return { network: r.family === 'inet6' ? '::' : '0.0.0.0', prefix: 0 };
  const m = /^([^/]+)(?:\/(\d+))?$/.exec(r.destination);
  if (!m || !isIP(m[1])) return { network: null, prefix: 0 };
  return { network: m[1], prefix: m[2] === undefined ? (m[1].includes(':') ? 128 : 32) : Number(m[2]) };
}

function routeFromNetTools(t: NetToolsRouteTable, to: string): { answer: RouteGetAnswer; line: number } | null {
  const usable = t.routes
    .filter((r) => r.up && r.prefix !== null && (isIP(r.destination) || r.destination === 'default'))
    .map((r) => ({ r, prefix: r.prefix!, metric: r.metric, network: r.destination === 'default' ? '0.0.0.0' : r.destination }));
  const best = lookup(usable, (u) => inSubnet(to, u.network, u.prefix));
  if (!best) return null;
  const r = best.r;
  const answer = {
    via: r.gateway, dev: r.iface, proto: null, scope: null, src: null, metric: r.metric, table: null, pref: null, from: null, tos: null, mtu: null,
    errorCode: null, expiresSeconds: null, iif: null, oif: null, uid: null, mark: null,
    type: r.reject ? 'unreachable' : 'unicast', destination: to, redirected: false, cacheFlags: [], cache: false,
    error: r.reject ? 'no-route-to-host' : null, errorMessage: null, line: r.line,
  } as unknown as RouteGetAnswer;
  return { answer, line: r.line };
}

/** The probe a reading stands for on a host of this role, or null when no check reads it. */
function probeFor(o: ReadOutput, role: 'director' | 'realserver'): ProbeName | null {
  const r = o.result as { format?: string; variant?: string };
  switch (o.parser) {
    case 'ipvsadm':
      if (r.format === 'ipvsadm-connections') return 'ipvsadm-conn';
      if (r.format === 'ipvsadm-timeout') return 'ipvsadm-timeout';
      if (r.format === 'ipvsadm') return r.variant === 'stats' ? 'ipvsadm-stats' : r.variant === 'default' ? 'ipvsadm' : null;
      return r.format === 'ipvsadm-error' ? 'ipvsadm' : null;
    case 'proc-ip-vs': return 'proc-ip-vs';
    case 'ip-addr': return 'ip-addr';
    case 'ip-route': return 'ip-route';
    case 'ip-rule': return 'ip-rule';
    case 'ip-link': return 'ip-link';
    case 'ip-neigh': return role === 'director' ? 'neigh' : null;
    case 'sysctl': return 'sysctl';
    case 'iptables-save': return 'iptables-save';
    case 'nft': return 'nft';
    case 'conntrack': return role === 'director' ? 'conntrack' : null;
    case 'ss': return 'ss-listen';
    case 'ip-route-get': return role === 'realserver' ? 'route-get-client' : null;
    case 'ping': return role === 'realserver' ? 'ping-client' : null;
    case 'traceroute': return role === 'realserver' ? 'traceroute-client' : null;
    default: return null;
  }
}

export function buildExplainFacts(outputs: ReadOutput[]): ExplainFacts | { noService: string } {
  const notes: string[] = [];
  const use = new Map<number, { host: string } | { unused: string }>();
  const read = outputs.filter((o) => o.parser !== null);

  // The director: whoever printed the IPVS table (or its configuration).
  const directorOutputs = read.filter((o) => DIRECTOR_ONLY.has(o.parser!));
  const directorNames = [...new Set(directorOutputs.map((o) => o.host).filter((h): h is string => h !== null))];
  if (directorNames.length > 1) notes.push(`IPVS output came from several hosts (${directorNames.join(', ')}): ${directorNames[0]} is taken as the director`);
  const directorName = directorNames[0] ?? 'director';

  let service: Service | null = null;
  for (const o of directorOutputs.filter((x) => x.host === null || x.host === directorName)) {
    const r = o.result as { format?: string };
    const s = r.format === 'ipvsadm' ? serviceFromListing(o.result as IpvsadmListing) : r.format === 'ipvsadm-save' ? serviceFromSave(o.result as IpvsadmSave) : null;
    // The running table wins over a configuration: only without it is the configuration read.
    if (s) {
      service = { ...s, index: o.index };
      break;
    }
  }
  if (!service) {
    const conn = directorOutputs.find((o) => (o.result as { format?: string }).format === 'ipvsadm-connections');
    const s = conn ? serviceFromConnections(conn.result as IpvsadmConnections) : null;
    service = s && conn ? { ...s, index: conn.index } : null;
  }
  if (!service) {
    const conf = directorOutputs.find((o) => o.parser === 'keepalived');
    const s = conf ? serviceFromKeepalived(conf.result as KeepalivedConf) : null;
    service = s && conf ? { ...s, index: conf.index } : null;
  }
  if (!service) {
    return { noService: 'no virtual service with numeric addresses was found (the checks need `ipvsadm -Ln`, `ipvsadm -S -n` or `ipvsadm -Lnc` from the director, or its keepalived.conf)' };
  }
  notes.push(`the virtual service ${service.protocol} ${service.vip}:${service.vport} and its realservers were taken from ${service.from}`);

  // Realservers: named after the host whose output proves it holds the RIP, else rs1, rs2 ...
  const otherHosts = [...new Set(read.map((o) => o.host).filter((h): h is string => h !== null && h !== directorName))];
  const claimed = new Map<string, string>();
  for (const h of otherHosts) {
    const held = read.filter((o) => o.host === h).flatMap(heldAddresses);
    const rip = service.rips.find((r) => held.some((a) => sameAddress(a, r.rip)));
    if (rip && !claimed.has(rip.rip)) claimed.set(rip.rip, h);
  }
  const unclaimedHosts = otherHosts.filter((h) => ![...claimed.values()].includes(h));
  const unclaimedRips = service.rips.filter((r) => !claimed.has(r.rip));
  if (unclaimedHosts.length === 1 && unclaimedRips.length === 1) {
    claimed.set(unclaimedRips[0].rip, unclaimedHosts[0]);
    notes.push(`${unclaimedHosts[0]} is taken as the realserver ${unclaimedRips[0].rip}: the only realserver and the only other host in the paste`);
  }
  const realservers: RealserverSpec[] = service.rips.map((r, i) => ({ name: claimed.get(r.rip) ?? `rs${i + 1}`, role: 'realserver', access: 'none', rip: r.rip, rport: r.rport }));
  const director: DirectorSpec = { name: directorName, role: 'director', access: 'none' };
  const client: ClientSpec = { name: 'client', role: 'client', access: 'none' };

  // Which host each output speaks for.
  const hostOf = (o: ReadOutput): { host: string; role: 'director' | 'realserver' } | { unused: string } => {
    if (o.host === directorName || (o.host === null && DIRECTOR_ONLY.has(o.parser!))) return { host: directorName, role: 'director' };
    const byName = realservers.find((r) => r.name === o.host);
    if (byName) return { host: byName.name, role: 'realserver' };
    const held = heldAddresses(o);
    const byAddress = realservers.find((r) => held.some((a) => sameAddress(a, r.rip)));
    if (byAddress) return { host: byAddress.name, role: 'realserver' };
    if (held.some((a) => sameAddress(a, service!.vip))) return { host: directorName, role: 'director' };
    if (o.host !== null) return { unused: `${o.host} is neither the director nor a realserver of ${service!.vip}:${service!.vport}` };
    return { unused: 'no prompt says which host printed it, and nothing in it names one' };
  };

  const topology: Topology = { service: { protocol: service.protocol, vip: service.vip, vport: service.vport }, director, client, realservers };
  const evidenceHosts = new Set<string>();
  const placed: { o: ReadOutput; host: string; role: 'director' | 'realserver' }[] = [];
  for (const o of outputs) {
    if (o.parser === null) continue;
    const where = hostOf(o);
    if ('unused' in where) {
      use.set(o.index, where);
      continue;
    }
    placed.push({ o, ...where });
  }

  const hosts = new Map<string, HostStatus>();
  const facts = new Facts(topology, hosts);
  facts.snapshotOnly = true;
  for (const { o, host, role } of placed) {
    const probe = probeFor(o, role);
    if (probe === null) {
      use.set(o.index, { unused: `read, but no check reads ${o.parser} output from the ${role}` });
      continue;
    }
    if (facts.outcome(host, probe)) {
      use.set(o.index, { unused: `${host} already gave this output earlier in the paste; the first one is used` });
      continue;
    }
    facts.record({ ok: true, host, probe, command: o.command ?? `(pasted ${o.parser} output)`, parsed: o.result, stdout: o.text, exitCode: 0 });
    use.set(o.index, { host });
    evidenceHosts.add(host);
  }

  // The client's address: the one `ip route get` on a realserver asked about, else the
  // connection table's (half-open entries first: they are the ones in trouble).
  const asked = realservers.map((r) => facts.parsed(r.name, 'route-get-client')?.results[0]?.destination).find((d): d is string => typeof d === 'string' && isIP(d));
  const table = facts.parsed(directorName, 'ipvsadm-conn');
  const clients = (table?.format === 'ipvsadm-connections' ? table.connections : []).filter((c) => sameAddress(c.virtual.address, service!.vip));
  const pick = (cs: typeof clients): string | undefined => {
    const n = new Map<string, number>();
    for (const c of cs) n.set(normalizeIp(c.client.address), (n.get(normalizeIp(c.client.address)) ?? 0) + 1);
    return [...n].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const cip = asked ?? pick(clients.filter((c) => c.state === 'SYN_RECV')) ?? pick(clients);
  if (cip) {
    client.cip = cip;
    if (!asked) notes.push(`the client address ${cip} was taken from the director's connection table`);
  }

  // Without `ip route get`, a realserver's route table answers the same question offline.
  if (cip) {
    for (const rs of realservers) {
      if (facts.outcome(rs.name, 'route-get-client')) continue;
      const ipRoute = placed.find((p) => p.host === rs.name && p.o.parser === 'ip-route');
      const netTools = placed.find((p) => p.host === rs.name && (p.o.parser === 'route-n' || p.o.parser === 'netstat-rn'));
      const source = ipRoute ?? netTools;
      if (!source) continue;
      const found = ipRoute ? routeFromIpRoute(ipRoute.o.result as IpRouteResult, cip) : routeFromNetTools(netTools!.o.result as NetToolsRouteTable, cip);
      const lineText = found ? source.o.text.split('\n')[found.line - 1] ?? '' : '';
      const answer: IpRouteGetResult = found
        ? { format: 'ip-route-get', results: [found.answer] }
        : { format: 'ip-route-get', results: [{ ...emptyAnswer(cip), error: 'network-unreachable', errorMessage: 'Network is unreachable (no route in the pasted table)' }] };
      facts.record({ ok: true, host: rs.name, probe: 'route-get-client', command: `${source.o.command ?? source.o.parser} (the route it holds for ${cip})`, parsed: answer, stdout: lineText || '(no matching route)', exitCode: 0 });
      if (!use.has(source.o.index) || 'unused' in use.get(source.o.index)!) use.set(source.o.index, { host: rs.name });
      evidenceHosts.add(rs.name);
    }
  }

  for (const h of [client, director, ...realservers]) {
    const seen = evidenceHosts.has(h.name);
    hosts.set(h.name, {
      name: h.name,
      role: h.role,
      access: 'none',
      status: seen ? 'reachable' : 'off-limits',
      reason: seen ? 'read from the paste' : 'nothing from it in the paste',
      probesRun: facts.all().filter((x) => x.host === h.name).length,
    });
  }
  const source = service.index === undefined ? undefined : use.get(service.index);
  if (service.index !== undefined && (!source || 'unused' in source)) use.set(service.index, { unused: `read for the virtual service and its realservers only (${service.from})` });
  facts.derived = deriveParams(topology, facts);
  return { topology, facts, use, notes };
}

function emptyAnswer(to: string): RouteGetAnswer {
  return {
    via: null, dev: null, proto: null, scope: null, src: null, metric: null, table: null, pref: null, from: null, tos: null, mtu: null,
    errorCode: null, expiresSeconds: null, iif: null, oif: null, uid: null, mark: null,
    type: null, destination: to, redirected: false, cacheFlags: [], cache: false, error: null, errorMessage: null, line: 0,
  } as unknown as RouteGetAnswer;
}
