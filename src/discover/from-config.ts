// Discovery from a load balancer's configuration file instead of (or before) a live director:
// keepalived.conf, ldirectord.cf or the LVS-HOWTO's lvs.conf. The file says what should be;
// the live director says what is (discoverTopology).
import { virtualServicesFromKeepalived, virtualServicesFromLdirectord, virtualServicesFromLvsConf } from '../director/from-config.js';
import type { ClientSpec, DirectorSpec } from '../model/topology.js';
import type { VirtualService } from '../model/virtual-service.js';
import type { KeepalivedConf } from '../parsers/keepalived.js';
import type { LdirectordConf } from '../parsers/ldirectord.js';
import type { LvsConf } from '../parsers/lvs-conf.js';
import { getParser } from '../parsers/index.js';
import { isIP } from '../util/ip.js';
import type { Discovery } from './discover.js';
import { topologyFromService } from './discover.js';
import { DiscoveryError, pickService, type ServiceChoice } from './pick-service.js';

export type ConfigKind = 'keepalived' | 'ldirectord' | 'lvs-conf';

export interface ConfigDiscoverOptions extends ServiceChoice {
  /** The director as ssh knows it; without it the director's ssh is left for the user to fill in. */
  director?: string;
  user?: string;
}

function parseText<T>(id: ConfigKind, text: string): T {
  const parser = getParser(id);
  if (parser.kind !== 'text') throw new Error(`parser ${id} is not a text parser`);
  return parser.parse(text) as T;
}

export function configServices(text: string, kind: ConfigKind): VirtualService[] {
  switch (kind) {
    case 'keepalived':
      return virtualServicesFromKeepalived(parseText<KeepalivedConf>('keepalived', text));
    case 'ldirectord':
      return virtualServicesFromLdirectord(parseText<LdirectordConf>('ldirectord', text));
    case 'lvs-conf':
      return virtualServicesFromLvsConf(parseText<LvsConf>('lvs-conf', text));
  }
}

/** Guesses the kind from a file name: keepalived*.conf, ldirectord*.cf, lvs*.conf. */
export function configKindOf(path: string): ConfigKind | null {
  const name = path.split('/').pop() ?? path;
  if (/keepalived/i.test(name)) return 'keepalived';
  if (/ldirectord|\.cf$/i.test(name)) return 'ldirectord';
  if (/lvs/i.test(name)) return 'lvs-conf';
  return null;
}

export function discoverFromConfig(text: string, kind: ConfigKind, opts: ConfigDiscoverOptions = {}): Discovery {
  const notes: string[] = [];
  // Files may name the VIP by host name (the seed's lvs.conf: VIP=eth0:110 lvs); --vip gives its address.
  const services = configServices(text, kind).map((s) => {
    if (s.address === null || isIP(s.address) || opts.vip === undefined) return s;
    notes.push(`the ${kind} file names the VIP '${s.address}'; taken as ${opts.vip} (--vip)`);
    return { ...s, address: opts.vip };
  });
  const service = pickService(services, opts, `the ${kind} file`);
  if (service.address !== null && !isIP(service.address)) {
    throw new DiscoveryError(`the virtual service address '${service.address}' is a host name; give --vip with its address`);
  }
  const base = topologyFromService(service, notes);
  for (const rs of base.realservers) {
    if (!isIP(rs.rip)) notes.push(`${rs.name}: '${rs.rip}' is a host name in the ${kind} file: replace it with the realserver's address`);
  }
  notes.push(`${kind} file says ${service.destinations.length} realserver(s); the live table may differ: run discover --director to compare`);
  const director: DirectorSpec = opts.director
    ? { name: 'director', role: 'director', access: 'ssh', ssh: { host: opts.director, ...(opts.user ? { user: opts.user } : {}) } }
    : { name: 'director', role: 'director', access: 'none' };
  if (!opts.director) notes.push('the director has no ssh entry: add director.ssh.host (the checks need the director)');
  const client: ClientSpec = { name: 'client', role: 'client', access: 'local' };
  return { topology: { service: base.service, director, client, realservers: base.realservers }, notes };
}
