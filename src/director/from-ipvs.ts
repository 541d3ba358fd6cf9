// The IPVS table reduced to the shape every director source shares (VirtualService, source
// 'ipvs'), from `ipvsadm -Ln`/`-L`/`-S` or from /proc/net/ip_vs.
import type { RealServerEntry, VirtualService } from '../model/virtual-service.js';
import type { IpvsadmListing, IpvsadmSave } from '../parsers/ipvsadm.js';
import { persistentSeconds, type ProcIpVs } from '../parsers/proc-ip-vs.js';

/**
 * Port numbers of the service names ipvsadm prints in its name forms (-L without -n). ipvsadm
 * takes them from getservbyport(), i.e. the director's /etc/services, so these are the
 * canonical names of Debian's netbase /etc/services for the ports load balancers carry, plus
 * "sun-sr-https" (6443, Red Hat's /etc/services, seen in Kubernetes listings). A name not
 * here maps to null and is reported in `notes`: the director's own /etc/services would know it.
 */
export const WELL_KNOWN_PORTS: Readonly<Record<string, number>> = {
  'ftp-data': 20, ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, tftp: 69, http: 80, kerberos: 88,
  pop3: 110, ntp: 123, imap2: 143, snmp: 161, bgp: 179, ldap: 389, https: 443, 'microsoft-ds': 445,
  submissions: 465, syslog: 514, submission: 587, ldaps: 636, rsync: 873, imaps: 993, pop3s: 995,
  openvpn: 1194, radius: 1812, nfs: 2049, mysql: 3306, sip: 5060, 'sip-tls': 5061, postgresql: 5432,
  amqp: 5672, redis: 6379, 'sun-sr-https': 6443, 'http-alt': 8080,
};

/** A printed port as a number: numbers as they are, names through WELL_KNOWN_PORTS, else null. */
export function portNumber(port: number | string | null, notes?: string[]): number | null {
  if (port === null || typeof port === 'number') return port;
  const known = WELL_KNOWN_PORTS[port];
  if (known === undefined) notes?.push(`unknown service name '${port}': port left null (run ipvsadm with -n)`);
  return known ?? null;
}

/**
 * Virtual services of an `ipvsadm -L[n]` listing (default or --tun-info column set) or of
 * `ipvsadm -S[n]` rules. The --stats/--rate/--thresholds/--persistent-conn listings carry no
 * Forward column and are refused with an Error (a caller bug, not bad input). Host names of
 * the name forms are kept as the address; ports named by ipvsadm are mapped with
 * WELL_KNOWN_PORTS; everything that could not be made exact (unknown port names, names cut
 * by ipvsadm's columns) is described in `notes` when given.
 */
export function virtualServicesFromIpvsadm(listing: IpvsadmListing | IpvsadmSave, notes?: string[]): VirtualService[] {
  if (listing.format === 'ipvsadm' && listing.variant !== 'default' && listing.variant !== 'tun-info') {
    throw new Error(`ipvsadm --${listing.variant} prints no Forward column; read virtual services from -Ln`);
  }
  return listing.services.map((service): VirtualService => {
    if ('truncated' in service && service.truncated) notes?.push(`virtual service '${service.printed}' was cut by ipvsadm's column: address incomplete, port unknown`);
    return {
      source: 'ipvs',
      protocol: service.protocol,
      address: service.address,
      port: portNumber(service.port, notes),
      fwmark: service.fwmark,
      scheduler: service.scheduler,
      persistent: service.persistent,
      destinations: service.destinations.map((d): RealServerEntry => {
        if (d.forward === null) throw new Error('destination without a forwarding method');
        if (d.truncated) notes?.push(`destination '${d.printed}' was cut by ipvsadm's column: address incomplete, port unknown`);
        return { address: d.address, port: portNumber(d.port, notes), forward: d.forward, weight: d.weight };
      }),
    };
  });
}

/**
 * Virtual services of /proc/net/ip_vs. The kernel prints persistence in jiffies; it is turned
 * into seconds with `hz`, the director's CONFIG_HZ. The default 250 is Debian's and Ubuntu's
 * kernel configuration; Red Hat kernels use 1000 (a persistence shown 4x too short there).
 */
export function virtualServicesFromProcIpVs(table: ProcIpVs, options: { hz?: number } = {}): VirtualService[] {
  const hz = options.hz ?? 250;
  return table.services.map((service) => ({
    source: 'ipvs',
    protocol: service.protocol,
    address: service.address,
    port: service.port,
    fwmark: service.fwmark,
    scheduler: service.scheduler,
    persistent: service.persistentJiffies === null ? null : persistentSeconds(service.persistentJiffies, hz),
    destinations: service.destinations.map((d) => ({ address: d.address, port: d.port, forward: d.forward, weight: d.weight })),
  }));
}
