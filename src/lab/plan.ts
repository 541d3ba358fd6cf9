// The lab's names and address plan, derived from the prefix alone so that every command
// (up, fault, down from a crashed run) agrees on them without reading any state.

export type NatBackend = 'iptables' | 'nft';
export type LabRole = 'ops' | 'client' | 'director' | 'realserver' | 'lanclient' | 'router';
export type NetName = 'ext' | 'lan' | 'mgmt';

export const MAX_REALSERVERS = 200;
/** Interface names are `<prefix>-mgmt` etc.; Linux allows 15 characters (IFNAMSIZ - 1). */
export const MAX_PREFIX_LENGTH = 15 - '-mgmt'.length;
export const VPORT = 80;
/** The realserver that listens on another port than the virtual service (VIP:80 -> RIP:8080). */
export const REMAPPED_INDEX = 3;
export const REMAPPED_PORT = 8080;

export class LabError extends Error {
  override readonly name = 'LabError';
}

export interface PlannedLink {
  net: NetName;
  /** Interface name inside the host's namespace. */
  ifname: string;
  /** Port name on the bridge, inside the bridge namespace. */
  port: string;
  /** Addresses with prefix length; the first is the primary. */
  cidrs: string[];
}

export interface PlannedHost {
  name: string;
  role: LabRole;
  netns: string;
  mgmtAddress: string;
  links: PlannedLink[];
}

export interface PlannedRealserver {
  name: string;
  rip: string;
  rport: number;
}

export interface LabPlan {
  prefix: string;
  bridgeNetns: string;
  /** Second octet of 10.X.0.0/16, from a hash of the prefix. */
  octet: number;
  vip: string;
  vport: number;
  cip: string;
  directorExtAddress: string;
  dip: string;
  /** The director's second address on the realserver wire, the one-network client's gateway. */
  onenetGateway: string;
  lanclient: string;
  routerLan: string;
  routerExt: string;
  ext: string;
  int: string;
  lanIf: string;
  mgmtIf: string;
  hosts: PlannedHost[];
  realservers: PlannedRealserver[];
}

export function validatePrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9]*$/.test(prefix)) {
    throw new LabError(`invalid prefix '${prefix}': use lowercase letters and digits, starting with a letter`);
  }
  if (prefix.length > MAX_PREFIX_LENGTH) {
    throw new LabError(
      `prefix '${prefix}' is too long: interface '${prefix}-mgmt' would exceed 15 characters (IFNAMSIZ); use at most ${MAX_PREFIX_LENGTH}`,
    );
  }
}

function prefixOctet(prefix: string): number {
  // FNV-1a: stable across runs and machines.
  let hash = 0x811c9dc5;
  for (const ch of prefix) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 16 + (hash % 224);
}

export function namespaceName(prefix: string, host: string): string {
  return `${prefix}-${host}`;
}

export function planLab(prefix: string, realserverCount: number): LabPlan {
  validatePrefix(prefix);
  if (!Number.isInteger(realserverCount) || realserverCount < 1 || realserverCount > MAX_REALSERVERS) {
    throw new LabError(`--realservers must be an integer from 1 to ${MAX_REALSERVERS}, got ${realserverCount}`);
  }
  const o = prefixOctet(prefix);
  const net = (third: number, fourth: number): string => `10.${o}.${third}.${fourth}`;
  const ext = `${prefix}-ext`;
  const int = `${prefix}-int`;
  const lanIf = `${prefix}-lan`;
  const mgmtIf = `${prefix}-mgmt`;
  const link = (host: string, n: NetName, ifname: string, cidrs: string[]): PlannedLink => ({
    net: n,
    ifname,
    port: `${host}-${n}`,
    cidrs,
  });
  const host = (name: string, role: LabRole, mgmtHost: number, links: PlannedLink[]): PlannedHost => ({
    name,
    role,
    netns: namespaceName(prefix, name),
    mgmtAddress: net(254, mgmtHost),
    links: [...links, link(name, 'mgmt', mgmtIf, [`${net(254, mgmtHost)}/24`])],
  });
  const realservers: PlannedRealserver[] = [];
  const rsHosts: PlannedHost[] = [];
  for (let i = 1; i <= realserverCount; i++) {
    const name = `rs${i}`;
    const rip = net(2, 10 + i);
    realservers.push({ name, rip, rport: i === REMAPPED_INDEX ? REMAPPED_PORT : VPORT });
    rsHosts.push(host(name, 'realserver', 10 + i, [link(name, 'lan', lanIf, [`${rip}/24`])]));
  }
  const plan: LabPlan = {
    prefix,
    bridgeNetns: namespaceName(prefix, 'bridge'),
    octet: o,
    vip: net(100, 1),
    vport: VPORT,
    cip: net(1, 10),
    directorExtAddress: net(1, 1),
    dip: net(2, 1),
    onenetGateway: net(3, 1),
    lanclient: net(3, 10),
    routerLan: net(2, 254),
    routerExt: net(1, 254),
    ext,
    int,
    lanIf,
    mgmtIf,
    realservers,
    hosts: [
      host('ops', 'ops', 1, []),
      host('client', 'client', 2, [link('client', 'ext', ext, [`${net(1, 10)}/24`])]),
      host('director', 'director', 3, [
        link('director', 'ext', ext, [`${net(1, 1)}/24`, `${net(100, 1)}/32`]),
        link('director', 'lan', int, [`${net(2, 1)}/24`, `${net(3, 1)}/24`]),
      ]),
      host('router', 'router', 4, [
        link('router', 'lan', lanIf, [`${net(2, 254)}/24`]),
        link('router', 'ext', ext, [`${net(1, 254)}/24`]),
      ]),
      host('lanclient', 'lanclient', 5, [link('lanclient', 'lan', lanIf, [`${net(3, 10)}/24`])]),
      ...rsHosts,
    ],
  };
  return plan;
}

export function findHost(plan: LabPlan, name: string): PlannedHost {
  const found = plan.hosts.find((h) => h.name === name);
  if (!found) throw new LabError(`unknown lab host '${name}' (hosts: ${plan.hosts.map((h) => h.name).join(', ')})`);
  return found;
}
