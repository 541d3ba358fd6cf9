// The registry of every parser by its public id (the FORMAT of `lvs-doctor parse`, the
// folder name under fixtures/parsers/, and the parser id a probe names).
import type { Parser } from '../model/parser.js';
// parser imports (keep one line per parser module, sorted)
import { conntrackParser } from './conntrack.js';
import { ipAddrParser } from './ip-addr.js';
import { ipLinkParser } from './ip-link.js';
import { ipNeighParser } from './ip-neigh.js';
import { ipRouteGetParser } from './ip-route-get.js';
import { ipRouteParser } from './ip-route.js';
import { ipRuleParser } from './ip-rule.js';
import { netstatRnParser } from './netstat-rn.js';
import { nstatParser } from './nstat.js';
import { pingParser } from './ping.js';
import { routeNParser } from './route-n.js';
import { ssParser } from './ss.js';
import { sysctlParser } from './sysctl.js';
import { tracerouteParser } from './traceroute.js';
import { pcapParser } from '../pcap/parser.js';
import { tcpdumpTextParser } from './tcpdump-text.js';
import { iptablesSaveParser } from './iptables-save.js';
import { keepalivedParser } from './keepalived.js';
import { ldirectordParser } from './ldirectord.js';
import { lvsConfParser } from './lvs-conf.js';
import { nftParser } from './nft.js';
import { ipvsadmParser } from './ipvsadm.js';
import { procIpVsParser } from './proc-ip-vs.js';
import { procIpVsConnParser } from './proc-ip-vs-conn.js';
import { procIpVsStatsParser } from './proc-ip-vs-stats.js';
import { kfreeSkbTraceParser } from './kfree-skb-trace.js';

const all: Parser[] = [
  // registry entries (one line per parser)
  conntrackParser,
  ipAddrParser,
  ipLinkParser,
  ipNeighParser,
  ipRouteGetParser,
  ipRouteParser,
  ipRuleParser,
  netstatRnParser,
  nstatParser,
  pingParser,
  routeNParser,
  ssParser,
  sysctlParser,
  tracerouteParser,
  pcapParser,
  tcpdumpTextParser,
  iptablesSaveParser,
  keepalivedParser,
  ldirectordParser,
  lvsConfParser,
  nftParser,
  ipvsadmParser,
  procIpVsParser,
  procIpVsConnParser,
  procIpVsStatsParser,
  kfreeSkbTraceParser,
];

export const parserRegistry: Record<string, Parser> = Object.fromEntries(all.map((p) => [p.id, p]));

export function getParser(id: string): Parser {
  const parser = parserRegistry[id];
  if (!parser) {
    throw new Error(`unknown parser '${id}'; known: ${Object.keys(parserRegistry).sort().join(', ')}`);
  }
  return parser;
}

/** Runs the parser `id` on raw bytes (decoded as UTF-8 for text parsers). */
export async function parseWith(id: string, data: Uint8Array): Promise<unknown> {
  const parser = getParser(id);
  if (parser.kind === 'binary') return parser.parse(data);
  return parser.parse(Buffer.from(data).toString('utf8'));
}
