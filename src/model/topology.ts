// The network the doctor is asked about: who plays which role, how each host is reached.
import { normalizeIp } from '../util/ip.js';

export type Role = 'client' | 'director' | 'realserver';

/** How the doctor reaches a host. `none` = off-limits (the seed's 5.1: not allowed near it). */
export type AccessMethod = 'ssh' | 'local' | 'none';

export interface SshTarget {
  /** Host name or alias as the user's ssh config knows it. */
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** ProxyJump spec, e.g. "admin@director". */
  jump?: string;
  /** Extra ssh config file (-F), e.g. the lab's. */
  configFile?: string;
  /** Run privileged probes through `sudo -n` (non-root login). */
  sudo?: boolean;
}

/** The systems an inventory may name; every one but linux means "do not run Linux probes here". */
export const HOST_OSES = ['linux', 'windows', 'solaris', 'freebsd', 'openbsd', 'netbsd', 'macos', 'aix', 'hpux', 'other'] as const;
export type HostOs = (typeof HOST_OSES)[number];

export interface HostSpec {
  /** The name used in output and evidence ("director", "rs1"). */
  name: string;
  role: Role;
  access: AccessMethod;
  ssh?: SshTarget;
  /** Set when the host is known not to be Linux ("windows", "solaris"): its probes are skipped. */
  os?: HostOs;
}

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServiceAddress {
  address: string;
  port: number;
}

export interface DirectorSpec extends HostSpec {
  role: 'director';
  /** Client-facing interface; discovered from `ip -o addr` when absent. */
  ext?: string;
  /** Realserver-facing interface; equal to ext in one-network NAT. */
  int?: string;
  /** Director's address on the realserver network (the realservers' gateway). */
  dip?: string;
}

export interface ClientSpec extends HostSpec {
  role: 'client';
  /** The client's source address towards the VIP. */
  cip?: string;
  /**
   * This machine, taken as the client because none was named (no --client, no client in the
   * inventory). It may not be on the client side at all (a bastion): what it fails to reach is
   * then unproven, not a client fault.
   */
  implicit?: true;
}

export interface RealserverSpec extends HostSpec {
  role: 'realserver';
  rip: string;
  /** The port the realserver listens on (port remapping: VIP:80 -> RIP:8080). */
  rport: number;
}

export interface Topology {
  /** The virtual service under test. */
  service: { protocol: L4Protocol; vip: string; vport: number; fwmark?: number };
  director: DirectorSpec;
  client: ClientSpec;
  realservers: RealserverSpec[];
}

export function allHosts(t: Topology): HostSpec[] {
  return [t.client, t.director, ...t.realservers];
}

/**
 * The topology with every address in the one spelling the hosts print (10.0.0.1, not
 * ::ffff:10.0.0.1; 2001:db8::1, not 2001:db8:0:0::1). The engine takes it in this form, so
 * that a route's gateway, a capture's source or an `ip addr` line compares equal to the
 * inventory's address whatever form the inventory, a flag or a bundle wrote it in.
 */
export function canonicalTopology(t: Topology): Topology {
  const ip = <T extends string | undefined>(a: T): T => (a === undefined ? a : (normalizeIp(a) as T));
  return {
    ...t,
    service: { ...t.service, vip: ip(t.service.vip) },
    director: { ...t.director, ...(t.director.dip !== undefined ? { dip: ip(t.director.dip) } : {}) },
    client: { ...t.client, ...(t.client.cip !== undefined ? { cip: ip(t.client.cip) } : {}) },
    realservers: t.realservers.map((r) => ({ ...r, rip: ip(r.rip) })),
  };
}
