// Zero-config: from the director's name alone, the topology the doctor needs. The director's
// IPVS table (or its netfilter NAT rules) names the service and the realservers; its
// addresses and routes name ext, int and the DIP; each realserver is tried over ssh directly,
// then through the director (ProxyJump), and marked off-limits when it refuses both.
import type { ClientSpec, DirectorSpec, HostSpec, L4Protocol, RealserverSpec, SshTarget, Topology } from '../model/topology.js';
import type { VirtualService } from '../model/virtual-service.js';
import { virtualServicesFromIpvsadm } from '../director/from-ipvs.js';
import { virtualServicesFromIptables, virtualServicesFromNft } from '../director/from-netfilter.js';
import type { IpAddrResult } from '../parsers/ip-addr.js';
import type { IpRouteResult } from '../parsers/ip-route.js';
import type { IpRouteGetResult } from '../parsers/ip-route-get.js';
import type { IpvsadmResult } from '../parsers/ipvsadm.js';
import type { IptablesSave } from '../parsers/iptables-save.js';
import type { NftRuleset } from '../parsers/nft.js';
import { ipAddr } from '../probes/ip-addr.js';
import { ipRouteAll } from '../probes/ip-route.js';
import { ipRouteGet } from '../probes/ip-route-get.js';
import { ipvsadmList } from '../probes/ipvsadm.js';
import { iptablesSave } from '../probes/iptables-save.js';
import { nftRuleset } from '../probes/nft.js';
import type { ProbeCommand } from '../probes/probe.js';
import { runProbes, type ProbeOutcome } from '../probes/runner.js';
import type { Transport } from '../transport/transport.js';
import { directorSides } from './director-interfaces.js';
import { DiscoveryError, describeService, pickService } from './pick-service.js';

export interface DiscoverOptions {
  /** The director as ssh knows it (alias of the user's ssh config, or an address). */
  director: string;
  /** The host name `transport` answers for as the director; default "director". */
  directorName?: string;
  user?: string;
  sudo?: boolean;
  /** ssh -F file and identity, used for the director and every host tried after it. */
  sshConfig?: string;
  identityFile?: string;
  /** The director's ssh port and its own ProxyJump (the director itself behind a bastion). */
  port?: number;
  jump?: string;
  vip?: string;
  vport?: number;
  /** The client as ssh knows it; default: this machine (access local). */
  client?: string;
  /**
   * Opens a transport for hosts found on the way (the client, realserver candidates); it must
   * serve access 'ssh' and 'local'. Without it realservers are not tried (off-limits, with a
   * note) and the client's address is not looked up.
   */
  connect?: (hosts: HostSpec[]) => Transport;
}

export interface Discovery {
  topology: Topology;
  /** What discovery had to assume or could not settle, one sentence each. */
  notes: string[];
}

async function probeOne<T>(transport: Transport, host: string, probe: ProbeCommand): Promise<{ parsed?: T; outcome: ProbeOutcome }> {
  const [outcome] = await runProbes(transport, [{ host, probe }]);
  return { parsed: outcome.ok ? (outcome.parsed as T) : undefined, outcome };
}

const why = (o: ProbeOutcome): string => (o.ok ? 'ok' : (o.error?.message ?? o.message));

/** The director's services: IPVS first; a kernel without IPVS (or no ipvsadm) falls back to the NAT rules. */
async function directorServices(transport: Transport, host: string, notes: string[]): Promise<{ services: VirtualService[]; where: string }> {
  const ipvs = await probeOne<IpvsadmResult>(transport, host, ipvsadmList());
  if (!ipvs.outcome.ok && ipvs.outcome.error?.kind === 'transport') throw new DiscoveryError(`cannot reach the director: ${why(ipvs.outcome)}`);
  if (ipvs.parsed?.format === 'ipvsadm' && ipvs.parsed.services.length > 0) {
    return { services: virtualServicesFromIpvsadm(ipvs.parsed, notes), where: 'the IPVS table (ipvsadm -Ln)' };
  }
  // ipvsadm prints its errors on stderr, which the probe does not parse: quote it here.
  const stderr = ipvs.outcome.raw?.stderr.trim().split('\n')[0];
  const ipvsSays =
    ipvs.parsed?.format === 'ipvsadm'
      ? 'an empty IPVS table'
      : ipvs.parsed?.format === 'ipvsadm-error'
        ? ipvs.parsed.message.split('\n')[0]
        : stderr || why(ipvs.outcome);
  const tried = [`ipvsadm -Ln: ${ipvsSays}`];
  const ipt = await probeOne<IptablesSave>(transport, host, iptablesSave());
  if (ipt.parsed) {
    const services = virtualServicesFromIptables(ipt.parsed);
    if (services.length > 0) {
      notes.push(`no IPVS service (${ipvsSays}); the service comes from netfilter NAT rules (iptables-save)`);
      return { services, where: 'the iptables nat table' };
    }
    tried.push('iptables-save: no DNAT load balancing');
  } else tried.push(`iptables-save: ${why(ipt.outcome)}`);
  const nft = await probeOne<NftRuleset>(transport, host, nftRuleset());
  if (nft.parsed) {
    const services = virtualServicesFromNft(nft.parsed);
    if (services.length > 0) {
      notes.push(`no IPVS service (${ipvsSays}); the service comes from nftables NAT rules (nft list ruleset)`);
      return { services, where: 'the nftables ruleset' };
    }
    tried.push('nft list ruleset: no DNAT load balancing');
  } else tried.push(`nft list ruleset: ${why(nft.outcome)}`);
  throw new DiscoveryError(`no virtual service on the director:\n  ${tried.join('\n  ')}`);
}

/** The source address a host uses towards the VIP (`ip route get VIP`), or a note why not. */
async function sourceTowards(transport: Transport, host: string, vip: string, notes: string[], who: string): Promise<string | undefined> {
  const { parsed, outcome } = await probeOne<IpRouteGetResult>(transport, host, ipRouteGet({ to: vip }));
  const answer = parsed?.results[0];
  if (answer?.error) notes.push(`${who} cannot reach the VIP ${vip}: ${answer.errorMessage ?? answer.error}${who === 'this machine' ? '; give --client HOST' : ''}`);
  else if (answer?.src) return answer.src;
  else if (!parsed) notes.push(`${who}: ip route get ${vip} failed (${why(outcome)}); cip left unset`);
  else notes.push(`${who}: ip route get ${vip} gave no source address; cip left unset`);
  return undefined;
}

/** What every ssh target discovery writes shares: the user, sudo, the -F file and the key. */
function commonSsh(opts: DiscoverOptions): Omit<SshTarget, 'host'> {
  return {
    ...(opts.user ? { user: opts.user } : {}),
    ...(opts.identityFile ? { identityFile: opts.identityFile } : {}),
    ...(opts.sshConfig ? { configFile: opts.sshConfig } : {}),
    ...(opts.sudo !== undefined ? { sudo: opts.sudo } : {}),
  };
}

/** The director's ssh target as the user described it. */
export function directorTarget(opts: DiscoverOptions): SshTarget {
  return { host: opts.director, ...commonSsh(opts), ...(opts.port ? { port: opts.port } : {}), ...(opts.jump ? { jump: opts.jump } : {}) };
}

function jumpSpec(director: SshTarget): string {
  const host = director.host.includes(':') ? `[${director.host}]` : director.host;
  return `${director.user ? `${director.user}@` : ''}${host}${director.port ? `:${director.port}` : ''}`;
}

/** Direct ssh first, then through the director; the first that answers `true` wins. */
async function realserverAccess(
  name: string,
  rip: string,
  director: SshTarget,
  opts: DiscoverOptions,
  notes: string[],
): Promise<Pick<RealserverSpec, 'access' | 'ssh'>> {
  if (!opts.connect) {
    notes.push(`${name} (${rip}) was not tried over ssh: marked off-limits`);
    return { access: 'none' };
  }
  const candidates: SshTarget[] = [
    { host: rip, ...commonSsh(opts) },
    { host: rip, ...commonSsh(opts), jump: jumpSpec(director) },
  ];
  const failures: string[] = [];
  for (const ssh of candidates) {
    const spec: HostSpec = { name, role: 'realserver', access: 'ssh', ssh };
    const transport = opts.connect([spec]);
    try {
      const result = await transport.run(name, ['true'], { timeoutMs: 8_000 });
      if (result.exitCode === 0) return { access: 'ssh', ssh };
      failures.push(`${ssh.jump ? `via ${ssh.jump}` : 'direct'}: exit ${result.exitCode}`);
    } catch (error) {
      failures.push(`${ssh.jump ? `via ${ssh.jump}` : 'direct'}: ${(error as Error).message}`);
    } finally {
      await transport.close();
    }
  }
  notes.push(`${name} (${rip}) refused ssh (${failures.join('; ')}): marked off-limits, checks use the director's view`);
  return { access: 'none' };
}

export async function discoverTopology(transport: Transport, opts: DiscoverOptions): Promise<Discovery> {
  const notes: string[] = [];
  const directorName = opts.directorName ?? 'director';
  const directorSsh = directorTarget(opts);

  const { services, where } = await directorServices(transport, directorName, notes);
  const service = pickService(services, { vip: opts.vip, vport: opts.vport }, where);
  const [addr, routes] = await Promise.all([
    probeOne<IpAddrResult>(transport, directorName, ipAddr()),
    probeOne<IpRouteResult>(transport, directorName, ipRouteAll()),
  ]);
  if (!addr.parsed) throw new DiscoveryError(`cannot read the director's addresses (ip -o addr): ${why(addr.outcome)}`);
  if (!routes.parsed) notes.push(`cannot read the director's routes (${why(routes.outcome)}): realservers off its networks are not placed`);

  const base = topologyFromService(service, notes);
  const sides = directorSides(addr.parsed, routes.parsed ?? null, base.service.vip, base.realservers.map((r) => r.rip));
  notes.push(...sides.notes);
  const director: DirectorSpec = {
    name: directorName,
    role: 'director',
    access: 'ssh',
    ssh: directorSsh,
    ...(sides.ext ? { ext: sides.ext } : {}),
    ...(sides.int ? { int: sides.int } : {}),
    ...(sides.dip ? { dip: sides.dip } : {}),
  };

  let client: ClientSpec;
  if (opts.client) {
    client = { name: 'client', role: 'client', access: 'ssh', ssh: { host: opts.client, ...commonSsh(opts) } };
  } else {
    client = { name: 'client', role: 'client', access: 'local' };
  }
  if (opts.connect) {
    const t = opts.connect([client]);
    try {
      const cip = await sourceTowards(t, client.name, base.service.vip, notes, opts.client ? `client ${opts.client}` : 'this machine');
      if (cip) client.cip = cip;
    } finally {
      await t.close();
    }
  }

  // In parallel (a refusing host can take a connect timeout), notes kept in realserver order.
  const settled = await Promise.all(
    base.realservers.map(async (rs) => {
      const own: string[] = [];
      return { spec: { ...rs, ...(await realserverAccess(rs.name, rs.rip, directorSsh, opts, own)) }, own };
    }),
  );
  const realservers: RealserverSpec[] = settled.map((s) => s.spec);
  for (const s of settled) notes.push(...s.own);
  return { topology: { service: base.service, director, client, realservers }, notes };
}

/** Service and realservers of a VirtualService (hosts' access left for the caller to settle). */
export function topologyFromService(service: VirtualService, notes: string[]): { service: Topology['service']; realservers: RealserverSpec[] } {
  if (service.protocol === 'FWM' || service.address === null || service.port === null) {
    throw new DiscoveryError(`${describeService(service)} has no single VIP:VPORT; give --vip and --vport of the traffic it marks`);
  }
  const vport = service.port;
  const realservers = service.destinations.map((d, i): RealserverSpec => {
    if (d.forward !== 'Masq') notes.push(`realserver ${d.address} forwards by ${d.forward}, not Masq (see director.not-masq)`);
    if (d.weight === 0) notes.push(`realserver ${d.address} has weight 0 (see director.no-weight)`);
    return { name: `rs${i + 1}`, role: 'realserver', access: 'none', rip: d.address, rport: d.port ?? vport };
  });
  if (realservers.length === 0) notes.push(`${describeService(service)} lists no realserver (see director.no-weight)`);
  return { service: { protocol: service.protocol as L4Protocol, vip: service.address, vport }, realservers };
}
