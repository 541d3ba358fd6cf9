// The four hops of the test connection (FAULTS.md, "How the four questions map to packets").

export type HopName = 'in' | 'in-rewritten' | 'reply' | 'reply-rewritten';

export const HOP_TITLES: Record<HopName, string> = {
  in: 'client -> director ext (CIP:CPORT -> VIP:VPORT)',
  'in-rewritten': 'director int -> realserver (CIP:CPORT -> RIP:RPORT)',
  reply: 'realserver -> director int (RIP:RPORT -> CIP:CPORT)',
  'reply-rewritten': 'director ext -> client (VIP:VPORT -> CIP:CPORT)',
};

export interface Endpoint {
  address: string;
  port: number | null;
}

/** One place a hop could be seen: a capture on one interface of one host. */
export interface HopObservation {
  host: string;
  iface: string;
  /** 'seen' the expected packet; 'missing' captured but absent; 'not-captured' no capture here (off-limits, capture failed). */
  status: 'seen' | 'missing' | 'not-captured';
  /** The packet as tcpdump would print it (when seen). */
  packet?: string;
  /** What was seen instead: RST, ICMP unreachable, redirect, a reply by another route, an untranslated leak. */
  instead?: string[];
  reason?: string;
}

export interface Hop {
  index: 1 | 2 | 3 | 4;
  name: HopName;
  expected: { src: Endpoint; dst: Endpoint };
  status: 'seen' | 'missing' | 'not-captured';
  observations: HopObservation[];
}
