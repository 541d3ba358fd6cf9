// One shape for "what the director load-balances", whatever implements it: the IPVS table
// (ipvsadm, /proc/net/ip_vs), netfilter NAT rules (iptables DNAT, nft numgen maps), or a
// configuration file (keepalived, ldirectord, the seed's lvs.conf). Checks speak of this.

export type ForwardMethod = 'Masq' | 'Route' | 'Tunnel' | 'Local';

export type VirtualServiceSource = 'ipvs' | 'iptables' | 'nft' | 'keepalived' | 'ldirectord' | 'lvs-conf';

export interface RealServerEntry {
  address: string;
  /** null when the rule keeps the destination port (DNAT --to-destination RIP without a port). */
  port: number | null;
  forward: ForwardMethod;
  /** null when the source has no notion of weight (plain DNAT round robin). */
  weight: number | null;
}

export interface VirtualService {
  source: VirtualServiceSource;
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  /** null for a firewall-mark service. */
  address: string | null;
  port: number | null;
  fwmark: number | null;
  /** rr, wrr, lc, ...; for netfilter: "nth" (statistic) or "numgen"/"random". */
  scheduler: string | null;
  persistent: number | null;
  destinations: RealServerEntry[];
}
