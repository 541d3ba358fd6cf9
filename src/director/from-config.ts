// Virtual services as a configuration file declares them (keepalived, ldirectord, the seed's
// lvs.conf), in the same shape as the IPVS table, so that discovery and the checks can compare
// "what should be" with "what is". Host names and service names are kept where the file uses
// them: resolving them is the caller's business (it knows the hosts), not a parser's.
import type { ForwardMethod, RealServerEntry, VirtualService } from '../model/virtual-service.js';
import type { KeepalivedConf, KeepalivedVirtualServer } from '../parsers/keepalived.js';
import type { LdirectordConf, LdirectordReal } from '../parsers/ldirectord.js';
import type { LvsConf } from '../parsers/lvs-conf.js';
import { intToIpv4, ipv4ToInt, isIPv4 } from '../util/ip.js';

/** The well-known ports the configuration formats name in the seed and the samples. */
const SERVICE_PORTS: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, dns: 53, http: 80, www: 80, pop3: 110, pop: 110,
  nntp: 119, imap: 143, ldap: 389, https: 443, mysql: 3306, pgsql: 5432, postgresql: 5432,
};

/** A port number, or the number of a well-known service name; null when unknown. */
export function servicePort(port: number | string | null): number | null {
  if (port === null || typeof port === 'number') return port;
  return SERVICE_PORTS[port.toLowerCase()] ?? null;
}

const KEEPALIVED_FORWARD: Record<string, ForwardMethod> = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' };
const LDIRECTORD_FORWARD: Record<string, ForwardMethod> = { masq: 'Masq', gate: 'Route', ipip: 'Tunnel' };
const LVS_TYPE_FORWARD: Record<string, ForwardMethod> = { VS_NAT: 'Masq', VS_DR: 'Route', VS_TUN: 'Tunnel' };

function l4(protocol: string | null): 'TCP' | 'UDP' | 'SCTP' {
  const upper = (protocol ?? 'TCP').toUpperCase();
  return upper === 'UDP' || upper === 'SCTP' ? upper : 'TCP';
}

/** "192.168.200.3-10" -> .3 to .10; other text is returned as the one address it is. */
function expandRange(address: string): string[] {
  const m = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(address);
  if (!m || !isIPv4(`${m[1]}${m[2]}`)) return [address];
  const first = ipv4ToInt(`${m[1]}${m[2]}`);
  const last = ipv4ToInt(`${m[1]}${m[3]}`);
  const out: string[] = [];
  for (let a = first; a <= last && out.length < 256; a++) out.push(intToIpv4(a));
  return out;
}

export function virtualServicesFromKeepalived(conf: KeepalivedConf): VirtualService[] {
  const services: VirtualService[] = [];
  for (const vs of conf.virtualServers) {
    const base = (address: string | null, port: number | null, fwmark: number | null): VirtualService => ({
      source: 'keepalived',
      protocol: fwmark !== null ? 'FWM' : l4(vs.protocol),
      address,
      port,
      fwmark,
      scheduler: vs.scheduler,
      persistent: vs.persistenceTimeout,
      destinations: keepalivedDestinations(vs, port),
    });
    if (vs.group !== null) {
      const group = conf.virtualServerGroups.find((g) => g.name === vs.group);
      for (const member of group?.members ?? []) {
        if (member.fwmark !== null) services.push(base(null, null, member.fwmark));
        else for (const address of expandRange(member.address ?? '')) services.push(base(address, member.port, null));
      }
    } else services.push(base(vs.address, vs.port, vs.fwmark));
  }
  return services;
}

function keepalivedDestinations(vs: KeepalivedVirtualServer, servicePortNumber: number | null): RealServerEntry[] {
  return vs.realServers.map((rs) => ({
    address: rs.address,
    // keepalived uses the virtual server's port when a real server gives none.
    port: rs.port ?? servicePortNumber,
    // keepalived's default forwarding method is NAT.
    forward: KEEPALIVED_FORWARD[rs.method ?? vs.method ?? 'NAT'],
    weight: rs.weight ?? 1,
  }));
}

export function virtualServicesFromLdirectord(conf: LdirectordConf): VirtualService[] {
  return conf.virtuals.map((v) => {
    const servicePortNumber = v.endpoint ? servicePort(v.endpoint.port) : null;
    return {
      source: 'ldirectord',
      protocol: v.fwmark !== null ? 'FWM' : l4(v.protocol),
      address: v.endpoint?.address ?? null,
      port: servicePortNumber,
      fwmark: v.fwmark,
      // ldirectord's default scheduler is wrr.
      scheduler: v.scheduler ?? 'wrr',
      persistent: v.persistent,
      destinations: v.reals.flatMap((r) => ldirectordDestinations(r, servicePortNumber)),
    } satisfies VirtualService;
  });
}

function ldirectordDestinations(r: LdirectordReal, servicePortNumber: number | null): RealServerEntry[] {
  const addresses = r.addressLast !== null && isIPv4(r.address) && isIPv4(r.addressLast)
    ? expandRange(`${r.address}-${r.addressLast.split('.')[3]}`)
    : [r.address];
  return addresses.map((address) => ({
    address,
    port: r.port === null ? servicePortNumber : servicePort(r.port),
    // ldirectord's default forwarding method is gate (direct routing).
    forward: LDIRECTORD_FORWARD[r.method ?? 'gate'],
    weight: r.weight ?? 1,
  }));
}

export interface LvsConfOptions {
  /** Forwarding when the file has no LVS_TYPE; the seed's examples are lvs_nat.conf files. */
  defaultForward?: ForwardMethod;
}

export function virtualServicesFromLvsConf(conf: LvsConf, options: LvsConfOptions = {}): VirtualService[] {
  const forward = (conf.lvsType !== null ? LVS_TYPE_FORWARD[conf.lvsType] : undefined) ?? options.defaultForward ?? 'Masq';
  return conf.services.map((s) => {
    const isMark = s.protocol === 'f';
    const port = isMark ? null : servicePort(s.port);
    return {
      source: 'lvs-conf',
      protocol: isMark ? 'FWM' : s.protocol === 'u' ? 'UDP' : 'TCP',
      address: isMark ? null : conf.vip?.host ?? null,
      port,
      fwmark: isMark && typeof s.port === 'number' ? s.port : null,
      scheduler: s.scheduler,
      persistent: null,
      destinations: s.realservers.map((rs) => ({
        address: rs.host,
        port: rs.port === null ? port : servicePort(rs.port),
        forward,
        weight: rs.weight ?? 1,
      })),
    } satisfies VirtualService;
  });
}
