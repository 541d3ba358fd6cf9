// The state of each host that a diagnosis depends on, read from a bundle's recorded outputs
// through the same parsers the checks use: routes, policy rules, addresses, the sysctls the
// checks read, the IPVS table and the firewall rules. What only says "how busy" (counters,
// connection tables, conntrack entries, captures, timestamps) is left out on purpose: it
// changes on every run and explains no fault.
import { parserForCommand } from '../explain/detect.js';
import { virtualServicesFromIpvsadm } from '../director/from-ipvs.js';
import { parseWith } from '../parsers/index.js';
import type { IpAddrResult } from '../parsers/ip-addr.js';
import type { IpRouteResult, IpRoute } from '../parsers/ip-route.js';
import type { IpRouteGetResult } from '../parsers/ip-route-get.js';
import type { IpRuleResult, IpRule } from '../parsers/ip-rule.js';
import type { IpvsadmResult } from '../parsers/ipvsadm.js';
import type { IptablesSave } from '../parsers/iptables-save.js';
import type { NftRuleset } from '../parsers/nft.js';
import type { SsResult } from '../parsers/ss.js';
import type { SysctlResult } from '../parsers/sysctl.js';
import type { Bundle, BundleEntry } from '../transport/bundle.js';
import type { StateKind } from '../model/baseline.js';

export type { StateKind };

export interface StateFact {
  host: string;
  kind: StateKind;
  /** What the fact is about, e.g. "ip route get 10.0.1.10 from 10.0.2.11", "net.ipv4.ip_forward". */
  key: string;
  /** Its value in words ("via 10.0.2.1 dev eth0 src 10.0.2.11"); '' for a set member (a rule, an address). */
  value: string;
  /** The recorded output it was read from: a fact is compared only when both bundles read that output. */
  source: string;
}

/** Per host, the facts by `kind key`, and the outputs that were read. */
export interface HostState {
  facts: Map<string, StateFact>;
  sources: Set<string>;
}

/** The sysctls a check reads (src/facts/readers.ts, checks/): forwarding, rp_filter, redirects, IPVS. */
const RELEVANT_SYSCTL = /^net\.ipv4\.(?:ip_forward|conf\.[^.]+\.(?:rp_filter|send_redirects|accept_redirects|secure_redirects|forwarding|accept_local|route_localnet|arp_ignore|arp_announce)|vs\.[a-z0-9_]+)$/;

/**
 * IPVS sysctls whose value the kernel derives from the machine, not from anyone's setting, and
 * that no check reads: `sync_qlen_max` is set at boot (per network namespace) to
 * nr_free_buffer_pages() / 32 (net/netfilter/ipvs/ip_vs_ctl.c), so two boots of one healthy
 * director differ (7344 and 7346 in the recorded IPVS guest). It bounds the sync daemon's
 * queue, which no diagnosis looks at: a difference would be noise on every host.
 */
const DERIVED_SYSCTL = new Set(['net.ipv4.vs.sync_qlen_max']);

/** The sysctl tree of IPVS: see the sysctl reader. */
export const IPVS_TREE = 'net.ipv4.vs';

/** The facts of every host in a bundle. Outputs that do not parse are skipped (they explain nothing). */
export async function bundleState(bundle: Bundle): Promise<Map<string, HostState>> {
  const hosts = new Map<string, HostState>();
  for (const entry of bundle.manifest.entries) {
    const bytes = bundle.files.get(entry.stdoutFile);
    if (!bytes || entry.transportError || entry.exitCode === 126 || entry.exitCode === 127) continue;
    const parser = parserForCommand(entry.argv.join(' '));
    const reader = parser ? READERS[parser] : undefined;
    if (!parser || !reader) continue;
    const parsed = await parseOutput(parser, bytes, entry);
    if (parsed === undefined) continue;
    const source = sourceOf(parser, entry);
    const facts = reader(parsed, entry);
    if (facts === null) continue;
    let state = hosts.get(entry.host);
    if (!state) hosts.set(entry.host, (state = { facts: new Map(), sources: new Set() }));
    state.sources.add(source);
    for (const f of facts) state.facts.set(factId(f.kind, f.key), { host: entry.host, source, ...f });
  }
  dropNftMirrorOfIptables(hosts);
  return hosts;
}

export function factId(kind: StateKind, key: string): string {
  return `${kind}\u0000${key}`;
}

/** stdout, or stderr when the tool answered only there (ip route get's "RTNETLINK answers: ..."). */
async function parseOutput(parser: string, bytes: Uint8Array, entry: BundleEntry): Promise<unknown> {
  const text = bytes.length === 0 && entry.stderr.trim() !== '' ? Buffer.from(entry.stderr, 'utf8') : bytes;
  try {
    return await parseWith(parser, text);
  } catch {
    return undefined;
  }
}

/** `ip route get` is asked several questions per host: each answer is its own output. */
function sourceOf(parser: string, entry: BundleEntry): string {
  return parser === 'ip-route-get' ? entry.argv.join(' ') : parser;
}

type Fact = Omit<StateFact, 'host' | 'source'>;
/** Null: this output is not one of the state outputs (e.g. `ipvsadm -Lnc`, a connection listing). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each reader takes its own parser's result
type Reader = (parsed: any, entry: BundleEntry) => Fact[] | null;

const READERS: Record<string, Reader> = {
  'ip-route-get': (r: IpRouteGetResult, entry) => {
    const key = entry.argv.join(' ');
    return r.results.slice(0, 1).map((a) => ({ kind: 'route', key, value: a.error !== null ? `error: ${a.errorMessage ?? a.error}` : words([a.type && a.type !== 'unicast' ? a.type : null, via(a.via), dev(a.dev), a.src && `src ${a.src}`, a.redirected ? '<redirected>' : null]) }));
  },
  'ip-route': (r: IpRouteResult) => r.routes.filter((route) => route.cache === null).map((route) => ({ kind: 'route', key: `route ${route.table ?? 'main'} ${route.destination}`, value: routeValue(route) })),
  'ip-rule': (r: IpRuleResult) => r.rules.map((rule) => ({ kind: 'rule', key: ruleText(rule), value: '' })),
  'ip-addr': (r: IpAddrResult) =>
    // Link-local IPv6 follows the MAC (a new one at every boot of a veth): noise, no fault.
    r.addresses.filter((a) => !/^fe80:/i.test(a.address)).map((a) => ({ kind: 'address', key: `${a.address}/${a.prefix}`, value: `dev ${a.ifname}` })),
  sysctl: (r: SysctlResult) => {
    const facts: Fact[] = Object.entries(r.values).filter(([name]) => RELEVANT_SYSCTL.test(name) && !DERIVED_SYSCTL.has(name)).map(([name, value]) => ({ kind: 'sysctl', key: name, value: value.trim() }));
    // The whole net.ipv4.vs tree comes and goes with the ip_vs module: one fact, not thirty.
    const ipvs = facts.some((f) => f.key.startsWith(`${IPVS_TREE}.`));
    return [...facts, { kind: 'sysctl', key: IPVS_TREE, value: ipvs ? 'present' : 'absent (ip_vs not loaded)' }];
  },
  ipvsadm: (r: IpvsadmResult) => {
    if (r.format === 'ipvsadm-error') return [{ kind: 'ipvs', key: 'IPVS table', value: `unreadable: ${r.message}` }];
    if (r.format !== 'ipvsadm' || r.variant !== 'default') return null;
    const facts: Fact[] = [{ kind: 'ipvs', key: 'IPVS table', value: 'readable' }];
    for (const svc of virtualServicesFromIpvsadm(r)) {
      const name = svc.fwmark !== null ? `FWM ${svc.fwmark}` : `${svc.protocol} ${svc.address}:${svc.port}`;
      facts.push({ kind: 'ipvs', key: `service ${name}`, value: words([svc.scheduler, svc.persistent !== null ? `persistent ${svc.persistent}` : null]) });
      for (const d of svc.destinations) facts.push({ kind: 'ipvs', key: `service ${name} -> ${d.address}:${d.port ?? '*'}`, value: words([d.forward, d.weight !== null ? `weight ${d.weight}` : null]) });
    }
    return facts;
  },
  ss: (r: SsResult) => {
    const listening = r.sockets.filter((s) => /LISTEN/i.test(s.state) && s.local.port !== null);
    return listening.map((s) => ({ kind: 'listener', key: `${s.netid ?? 'tcp'} ${s.local.address}:${s.local.port}`, value: '' }));
  },
  'iptables-save': (r: IptablesSave) =>
    r.tables.flatMap((t) =>
      t.chains.flatMap((c): Fact[] => [
        ...(c.policy !== null && !ACCEPTING.test(c.policy) ? [{ kind: 'firewall' as const, key: `iptables -t ${t.name} chain ${c.name} policy`, value: c.policy }] : []),
        ...c.rules.map((rule, i) => ({ kind: 'firewall' as const, key: `iptables -t ${t.name} ${rule.text}${occurrence(c.rules.slice(0, i).filter((x) => x.text === rule.text).length)}`, value: '' })),
      ]),
    ),
  nft: (r: NftRuleset) =>
    r.tables.flatMap((t) =>
      t.chains.flatMap((c): Fact[] => [
        ...(c.policy !== null && !ACCEPTING.test(c.policy) ? [{ kind: 'firewall' as const, key: `nft ${t.family} ${t.name} chain ${c.name} policy`, value: c.policy }] : []),
        ...c.rules.map((rule) => ({ kind: 'firewall' as const, key: `nft ${t.family} ${t.name} chain ${c.name}: ${withoutCounters(rule.text)}`, value: '' })),
      ]),
    ),
};

/**
 * A chain that accepts by default is no fact: the table appears with its empty built-in chains the
 * first time anything loads it (`iptables -t raw -L`), which changes nothing a packet meets.
 */
const ACCEPTING = /^accept$/i;

/** A rule listed twice is two rules: the second copy is its own fact. */
function occurrence(before: number): string {
  return before === 0 ? '' : ` (#${before + 1})`;
}

function withoutCounters(text: string): string {
  return text.replace(/\bcounter packets \d+ bytes \d+\s*/g, 'counter ').replace(/\s+/g, ' ').trim();
}

function routeValue(route: IpRoute): string {
  const hops = route.nexthops.map((n) => words(['nexthop', via(n.via), dev(n.dev), n.weight !== null ? `weight ${n.weight}` : null]));
  return words([route.type !== 'unicast' ? route.type : null, via(route.via), dev(route.dev), route.src && `src ${route.src}`, route.metric !== null ? `metric ${route.metric}` : null, ...route.flags, ...hops]);
}

function ruleText(rule: IpRule): string {
  const action = rule.action === 'lookup' ? `lookup ${rule.table}` : rule.action === 'goto' ? `goto ${rule.gotoPriority}` : rule.action;
  const selectors = [rule.to && `to ${rule.to}`, rule.fwmark && `fwmark ${rule.fwmark}`, rule.iif && `iif ${rule.iif}`, rule.oif && `oif ${rule.oif}`, rule.tos && `tos ${rule.tos}`, rule.ipproto && `ipproto ${rule.ipproto}`, rule.sport && `sport ${rule.sport}`, rule.dport && `dport ${rule.dport}`, ...Object.entries(rule.other).map(([k, v]) => `${k} ${v}`)];
  return words([`${rule.priority}:`, rule.not ? 'not' : null, `from ${rule.from}`, ...selectors, action]);
}

const via = (v: string | null): string | null => (v ? `via ${v}` : null);
const dev = (d: string | null): string | null => (d ? `dev ${d}` : null);

function words(parts: (string | null | undefined | false | '')[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' ');
}

/**
 * iptables-nft keeps its tables in nf_tables: `nft list ruleset` shows them again as `ip filter`,
 * `ip nat` ... A change of such a rule is one change, reported once (as readers.ts's firewallHits).
 */
function dropNftMirrorOfIptables(hosts: Map<string, HostState>): void {
  for (const state of hosts.values()) {
    const iptTables = new Set([...state.facts.values()].filter((f) => f.source === 'iptables-save').map((f) => f.key.split(' ')[2]));
    if (iptTables.size === 0) continue;
    for (const [id, f] of state.facts) {
      const m = /^nft ip (\S+) /.exec(f.key);
      if (f.source === 'nft' && m && iptTables.has(m[1])) state.facts.delete(id);
    }
  }
}
