// What differs between a healthy state and now, host by host, fact by fact (state-facts.ts).
// A fact is compared only when both runs read the output it comes from: a probe that one run
// did not get to (a host unreachable, a check that stopped early) is no change of state.
import type { FaultId } from '../model/faults.js';
import type { Diagnosis } from '../model/result.js';
import type { BaselineDifference, StateKind } from '../model/baseline.js';
import { factId, IPVS_TREE, type HostState, type StateFact } from './state-facts.js';

/** At most this many differences are kept, in host/kind/key order: a wholly different host is not a list to page through. */
export const MAX_DIFFERENCES = 200;

export function compareStates(baseline: Map<string, HostState>, now: Map<string, HostState>): { differences: Omit<BaselineDifference, 'explains'>[]; compared: number; truncated: number } {
  const out: Omit<BaselineDifference, 'explains'>[] = [];
  let compared = 0;
  for (const [host, before] of baseline) {
    const after = now.get(host);
    if (!after) continue;
    // When the IPVS sysctl tree came or went, that one fact says it; its leaves would only repeat it.
    const treeChanged = before.facts.get(factId('sysctl', IPVS_TREE))?.value !== after.facts.get(factId('sysctl', IPVS_TREE))?.value;
    const bothRead = (f: StateFact): boolean => before.sources.has(f.source) && after.sources.has(f.source) && !(treeChanged && f.kind === 'sysctl' && f.key.startsWith(`${IPVS_TREE}.`));
    for (const [id, b] of before.facts) {
      if (!bothRead(b)) continue;
      compared += 1;
      const a = after.facts.get(id);
      if (!a) out.push({ host, kind: b.kind, key: b.key, change: 'removed', before: b.value, after: null });
      else if (a.value !== b.value) out.push({ host, kind: b.kind, key: b.key, change: 'changed', before: b.value, after: a.value });
    }
    for (const [id, a] of after.facts) {
      if (before.facts.has(id) || !bothRead(a)) continue;
      compared += 1;
      out.push({ host, kind: a.kind, key: a.key, change: 'added', before: null, after: a.value });
    }
  }
  const order = (d: Omit<BaselineDifference, 'explains'>): string => `${d.host}\u0000${d.kind}\u0000${d.key}`;
  out.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
  return { differences: out.slice(0, MAX_DIFFERENCES), compared, truncated: Math.max(0, out.length - MAX_DIFFERENCES) };
}

const ROUTE_FAULTS: Record<string, FaultId[]> = {
  realserver: ['realserver.reply-route', 'realserver.onlink-client', 'realserver.redirect-accepted', 'realserver.unreachable'],
  director: ['director.rp-filter', 'director.snat-reroute', 'director.direct-rip-unreachable', 'director.vip-not-local', 'director.ip-forward-off', 'realserver.unreachable', 'realserver.reply-route'],
  client: ['client.no-route-to-vip', 'client.fwmark-unmarked'],
};
const ADDRESS_FAULTS: Record<string, FaultId[]> = {
  realserver: ['realserver.rip-missing', 'realserver.unreachable', 'realserver.no-listener'],
  director: ['director.vip-not-local', 'director.direct-rip-unreachable', 'realserver.unreachable'],
  client: ['client.no-route-to-vip'],
};
const FIREWALL_FAULTS: Record<string, FaultId[]> = {
  realserver: ['realserver.firewall-reject', 'realserver.silent-drop'],
  // The netns lab's director balances with netfilter NAT rules: its table is a firewall table.
  director: ['director.firewall-drop', 'director.no-virtual-service', 'director.no-weight', 'director.snat-reroute', 'director.untranslated-leak', 'director.ftp-helper-missing', 'director.vs-conntrack-off', 'client.fwmark-unmarked'],
  client: ['client.fwmark-unmarked'],
};

/** The faults a change of this kind of fact can cause (the checks' evidence, docs/faults.md). */
export function faultsOf(kind: StateKind, key: string, role: string): FaultId[] {
  switch (kind) {
    case 'route':
    case 'rule':
      return ROUTE_FAULTS[role] ?? [];
    case 'address':
      return ADDRESS_FAULTS[role] ?? [];
    case 'firewall':
      return FIREWALL_FAULTS[role] ?? [];
    case 'ipvs':
      return key === 'IPVS table' ? ['director.ipvs-unavailable', 'director.no-virtual-service'] : ['director.no-virtual-service', 'director.no-weight', 'director.not-masq', 'director.expire-nodest-off', 'director.ftp-helper-missing', 'client.fwmark-unmarked'];
    case 'sysctl':
      return sysctlFaults(key);
    case 'listener':
      return ['realserver.no-listener'];
  }
}

function sysctlFaults(name: string): FaultId[] {
  if (name === 'net.ipv4.ip_forward' || name.endsWith('.forwarding')) return ['director.ip-forward-off'];
  if (name.endsWith('.rp_filter')) return ['director.rp-filter'];
  if (name.endsWith('.send_redirects')) return ['director.send-redirects'];
  if (name.endsWith('.accept_redirects') || name.endsWith('.secure_redirects')) return ['realserver.redirect-accepted'];
  if (name === IPVS_TREE) return ['director.ipvs-unavailable'];
  if (name === 'net.ipv4.vs.conntrack') return ['director.vs-conntrack-off', 'director.snat-reroute', 'director.untranslated-leak'];
  if (name === 'net.ipv4.vs.expire_nodest_conn') return ['director.expire-nodest-off'];
  if (name === 'net.ipv4.vs.conn_reuse_mode') return ['director.conn-reuse-stall'];
  if (name === 'net.ipv4.vs.snat_reroute') return ['director.snat-reroute'];
  if (name === 'net.ipv4.vs.nat_icmp_send') return ['director.direct-rip-unreachable'];
  return [];
}

/** Each difference with the diagnoses of this run it can explain: same host, a fault its kind causes. */
export function linkToDiagnoses(differences: Omit<BaselineDifference, 'explains'>[], diagnoses: Diagnosis[], roleOf: (host: string) => string): BaselineDifference[] {
  return differences.map((d) => {
    const possible = new Set(faultsOf(d.kind, d.key, roleOf(d.host)));
    const explains = diagnoses.filter((g) => possible.has(g.id) && (g.hosts.length === 0 || g.hosts.includes(d.host))).map((g) => g.id);
    return { ...d, explains: [...new Set(explains)] };
  });
}
