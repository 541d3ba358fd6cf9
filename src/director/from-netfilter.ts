// A netfilter-NAT director (no IPVS) in the shape of an IPVS table: every VIP:VPORT that the
// nat table DNATs to realservers becomes a VirtualService. The load-balancing shapes
// recognised are the ones such directors use: `-m statistic --mode nth` round robin over a
// user chain, `--mode random`, nft `numgen inc|random mod N map {...}` (and the
// `numgen inc mod N V` that iptables-nft prints for nth), and a single DNAT. Alongside: the
// SNAT/MASQUERADE rules (the untranslated-leak fix is one of them) and the fwmark rules
// (client.fwmark-unmarked). Every result cites the rules it came from.
import type { RealServerEntry, VirtualService } from '../model/virtual-service.js';
import {
  basicOption, matchOption, targetOption,
  type IptablesChain, type IptablesRule, type IptablesSave, type IptablesTable, type PacketCounters,
} from '../parsers/iptables-save.js';
import { parseNatAddress, type NftChain, type NftMatch, type NftNatAddress, type NftRule, type NftRuleset, type NftTable } from '../parsers/nft.js';

export interface RuleRef {
  table: string;
  chain: string;
  line: number;
  text: string;
  counters: PacketCounters | null;
}

export interface NetfilterVirtualService extends VirtualService {
  source: 'iptables' | 'nft';
  /** The rules that make this service: the match on VIP:VPORT, then each DNAT branch. */
  evidence: RuleRef[];
}

export interface SourceNatRule {
  kind: 'SNAT' | 'MASQUERADE';
  /** Source match as written ("10.1.1.0/24"), null when the rule has none. */
  source: string | null;
  sourceNegated: boolean;
  destination: string | null;
  destinationNegated: boolean;
  outIface: string | null;
  protocol: string | null;
  /** Source ports matched (replies from RPORT), as written. */
  sourcePorts: string[];
  /** SNAT --to-source / nft `snat to`, null for MASQUERADE. */
  toSource: string | null;
  rule: RuleRef;
}

export interface FwmarkRule {
  mark: number;
  mask: number | null;
  destination: string | null;
  protocol: string | null;
  destinationPorts: string[];
  inIface: string | null;
  rule: RuleRef;
}

export interface NetfilterDirector {
  services: NetfilterVirtualService[];
  sourceNat: SourceNatRule[];
  fwmarks: FwmarkRule[];
  /** DNAT rules seen but not reduced to a service (no single VIP, address ranges, ...). */
  unrecognised: RuleRef[];
}

interface ServiceKey {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM' | null;
  address: string | null;
  port: number | null;
  fwmark: number | null;
}

interface Branch {
  key: ServiceKey;
  to: NftNatAddress;
  /** Probability that this branch takes a packet that reaches it; null when unknown. */
  share: number | null;
  mode: 'nth' | 'random' | 'numgen' | null;
  evidence: RuleRef[];
}

const MAX_JUMP_DEPTH = 4;

// ---------- iptables ----------

export function netfilterFromIptables(parsed: IptablesSave): NetfilterDirector {
  const result: NetfilterDirector = { services: [], sourceNat: [], fwmarks: [], unrecognised: [] };
  const nat = parsed.tables.find((t) => t.name === 'nat');
  const branches: Branch[] = [];
  const emptyServices: { key: ServiceKey; evidence: RuleRef[] }[] = [];
  if (nat) {
    for (const hook of ['PREROUTING', 'OUTPUT']) {
      const chain = nat.chains.find((c) => c.name === hook);
      if (chain) collectIptablesBranches(nat, chain, emptyKey(), [], 0, branches, result.unrecognised, emptyServices);
    }
    for (const chain of nat.chains) {
      for (const rule of chain.rules) {
        const target = rule.target?.name;
        if (target === 'SNAT' || target === 'MASQUERADE') result.sourceNat.push(iptablesSourceNat(nat, chain, rule, target));
      }
    }
  }
  for (const table of parsed.tables) {
    for (const chain of table.chains) {
      for (const rule of chain.rules) {
        if (rule.target?.name === 'MARK') {
          const mark = iptablesFwmark(table, chain, rule);
          if (mark) result.fwmarks.push(mark);
        }
      }
    }
  }
  result.services = servicesFromBranches(branches, 'iptables');
  for (const empty of emptyServices) {
    const k = empty.key;
    if (result.services.some((sv) => sv.protocol === k.protocol && sv.address === k.address && sv.port === k.port && sv.fwmark === k.fwmark)) continue;
    result.services.push({
      source: 'iptables',
      protocol: k.fwmark !== null ? 'FWM' : (k.protocol ?? 'TCP'),
      address: k.fwmark !== null ? null : k.address,
      port: k.fwmark !== null ? null : k.port,
      fwmark: k.fwmark,
      scheduler: null,
      persistent: null,
      destinations: [],
      evidence: empty.evidence,
    });
  }
  return result;
}

export function virtualServicesFromIptables(parsed: IptablesSave): NetfilterVirtualService[] {
  return netfilterFromIptables(parsed).services;
}

function iptablesRef(table: IptablesTable, chain: IptablesChain, rule: IptablesRule): RuleRef {
  return { table: table.name, chain: chain.name, line: rule.line, text: rule.text, counters: rule.counters };
}

function emptyKey(): ServiceKey {
  return { protocol: null, address: null, port: null, fwmark: null };
}

function mergeKey(outer: ServiceKey, inner: ServiceKey): ServiceKey {
  return {
    protocol: inner.protocol ?? outer.protocol,
    address: inner.address ?? outer.address,
    port: inner.port ?? outer.port,
    fwmark: inner.fwmark ?? outer.fwmark,
  };
}

function protocolName(value: string | undefined): ServiceKey['protocol'] {
  const v = value?.toLowerCase();
  if (v === 'tcp' || v === '6') return 'TCP';
  if (v === 'udp' || v === '17') return 'UDP';
  if (v === 'sctp' || v === '132') return 'SCTP';
  return null;
}

/** "10.0.0.1" or "10.0.0.1/32" (one host), else null. */
function singleHost(value: string | undefined): string | null {
  if (value === undefined) return null;
  const m = /^([0-9a-fA-F:.]+?)(?:\/(32|128))?$/.exec(value);
  return m && parseNatAddress(m[1].includes(':') ? `[${m[1]}]` : m[1]) ? m[1] : null;
}

function singlePort(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

function markValue(value: string | undefined): { mark: number; mask: number | null } | null {
  const m = /^(0x[0-9a-fA-F]+|\d+)(?:\/(0x[0-9a-fA-F]+|\d+))?$/.exec(value ?? '');
  return m ? { mark: Number(m[1]), mask: m[2] === undefined ? null : Number(m[2]) } : null;
}

function iptablesKey(rule: IptablesRule): ServiceKey {
  const key = emptyKey();
  const p = basicOption(rule, 'p');
  if (p && !p.negated) key.protocol = protocolName(p.values[0]);
  const d = basicOption(rule, 'd');
  if (d && !d.negated) key.address = singleHost(d.values[0]);
  const dport = rule.matches.flatMap((m) => m.options.filter((o) => o.name === 'dport' && !o.negated))[0];
  if (dport) key.port = singlePort(dport.values[0]);
  const mark = matchOption(rule, 'mark', 'mark');
  if (mark && !mark.negated) key.fwmark = markValue(mark.values[0])?.mark ?? null;
  return key;
}

function iptablesShare(rule: IptablesRule): { share: number | null; mode: Branch['mode'] } {
  const mode = matchOption(rule, 'statistic', 'mode');
  if (!mode) return { share: 1, mode: null };
  if (mode.values[0] === 'nth') {
    const every = Number(matchOption(rule, 'statistic', 'every')?.values[0]);
    return { share: Number.isInteger(every) && every > 0 ? 1 / every : null, mode: 'nth' };
  }
  if (mode.values[0] === 'random') {
    const p = Number(matchOption(rule, 'statistic', 'probability')?.values[0]);
    return { share: Number.isFinite(p) ? p : null, mode: 'random' };
  }
  return { share: null, mode: null };
}

function collectIptablesBranches(
  table: IptablesTable, chain: IptablesChain, outer: ServiceKey, via: RuleRef[], depth: number,
  branches: Branch[], unrecognised: RuleRef[], emptyServices: { key: ServiceKey; evidence: RuleRef[] }[] = [],
): void {
  for (const rule of chain.rules) {
    const target = rule.target;
    if (!target) continue;
    const key = mergeKey(outer, iptablesKey(rule));
    const ref = iptablesRef(table, chain, rule);
    if (target.name === 'DNAT') {
      const to = parseNatAddress(targetOption(rule, 'to-destination')?.values[0] ?? '');
      if (!to || !isServiceKey(key)) { unrecognised.push(ref); continue; }
      branches.push({ key, to, ...iptablesShare(rule), evidence: [...via, ref] });
      continue;
    }
    const next = table.chains.find((c) => c.name === target.name);
    if (next && next.policy === null && depth < MAX_JUMP_DEPTH) {
      const before = branches.length;
      collectIptablesBranches(table, next, key, [...via, ref], depth + 1, branches, unrecognised, emptyServices);
      // A service's chain with no DNAT left in it is a service with no realserver (every
      // weight 0 / all removed by a health checker), not the absence of a service.
      if (branches.length === before && isServiceKey(key) && depth === 0) emptyServices.push({ key, evidence: [...via, ref] });
    }
  }
}

function isServiceKey(key: ServiceKey): boolean {
  return key.fwmark !== null || (key.address !== null && key.port !== null && key.protocol !== null);
}

function iptablesSourceNat(table: IptablesTable, chain: IptablesChain, rule: IptablesRule, kind: 'SNAT' | 'MASQUERADE'): SourceNatRule {
  const s = basicOption(rule, 's');
  const d = basicOption(rule, 'd');
  return {
    kind,
    source: s?.values[0] ?? null,
    sourceNegated: s?.negated ?? false,
    destination: d?.values[0] ?? null,
    destinationNegated: d?.negated ?? false,
    outIface: basicOption(rule, 'o')?.values[0] ?? null,
    protocol: basicOption(rule, 'p')?.values[0] ?? null,
    sourcePorts: rule.matches.flatMap((m) => m.options.filter((o) => o.name === 'sport' || o.name === 'sports').flatMap((o) => o.values)),
    toSource: kind === 'SNAT' ? targetOption(rule, 'to-source')?.values[0] ?? null : null,
    rule: iptablesRef(table, chain, rule),
  };
}

function iptablesFwmark(table: IptablesTable, chain: IptablesChain, rule: IptablesRule): FwmarkRule | null {
  const set = targetOption(rule, 'set-mark') ?? targetOption(rule, 'set-xmark');
  const value = markValue(set?.values[0]);
  if (!value) return null;
  return {
    ...value,
    destination: basicOption(rule, 'd')?.values[0] ?? null,
    protocol: basicOption(rule, 'p')?.values[0] ?? null,
    destinationPorts: rule.matches.flatMap((m) => m.options.filter((o) => o.name === 'dport' || o.name === 'dports').flatMap((o) => o.values)),
    inIface: basicOption(rule, 'i')?.values[0] ?? null,
    rule: iptablesRef(table, chain, rule),
  };
}

// ---------- nft ----------

export function netfilterFromNft(parsed: NftRuleset): NetfilterDirector {
  const result: NetfilterDirector = { services: [], sourceNat: [], fwmarks: [], unrecognised: [] };
  const branches: Branch[] = [];
  for (const table of parsed.tables) {
    for (const chain of table.chains) {
      if (chain.type === 'nat' && (chain.hook === 'prerouting' || chain.hook === 'output')) {
        collectNftBranches(table, chain, emptyKey(), [], 0, branches, result.unrecognised);
      }
      for (const rule of chain.rules) {
        for (const st of rule.statements) {
          if (st.kind === 'nat' && (st.type === 'snat' || st.type === 'masquerade')) result.sourceNat.push(nftSourceNat(table, chain, rule, st.type, st.target));
          if (st.kind === 'mark' && st.scope === 'meta') {
            const value = markValue(st.value);
            if (value) result.fwmarks.push(nftFwmark(table, chain, rule, value));
          }
        }
      }
    }
  }
  result.services = servicesFromBranches(branches, 'nft');
  return result;
}

export function virtualServicesFromNft(parsed: NftRuleset): NetfilterVirtualService[] {
  return netfilterFromNft(parsed).services;
}

function nftRef(table: NftTable, chain: NftChain, rule: NftRule): RuleRef {
  return { table: `${table.family} ${table.name}`, chain: chain.name, line: rule.line, text: rule.text, counters: rule.counters };
}

function nftMatch(rule: NftRule, selectors: string[]): NftMatch | undefined {
  return rule.matches.find((m) => selectors.includes(m.selector));
}

function nftKey(rule: NftRule): ServiceKey {
  const key = emptyKey();
  const daddr = nftMatch(rule, ['ip daddr', 'ip6 daddr']);
  if (daddr?.op === '==' && daddr.values.length === 1) key.address = singleHost(daddr.values[0]);
  const dport = nftMatch(rule, ['tcp dport', 'udp dport', 'sctp dport', 'th dport']);
  if (dport?.op === '==' && dport.values.length === 1) {
    key.port = singlePort(dport.values[0]);
    key.protocol = protocolName(dport.selector.split(' ')[0]);
  }
  const l4 = nftMatch(rule, ['meta l4proto', 'ip protocol']);
  if (l4?.op === '==' && l4.values.length === 1) key.protocol = protocolName(l4.values[0]) ?? key.protocol;
  const mark = nftMatch(rule, ['meta mark']);
  if (mark?.op === '==' && mark.values.length === 1) key.fwmark = markValue(mark.values[0])?.mark ?? null;
  return key;
}

/** The share of a rule carrying `numgen inc mod N V` or the `meta random` test of iptables-nft. */
function nftShare(rule: NftRule): { share: number | null; mode: Branch['mode'] } {
  const numgen = rule.matches.find((m) => /^numgen (inc|random) mod \d+$/.test(m.selector) && m.op === '==' && m.values.length === 1);
  if (numgen) {
    const [, mode, mod] = numgen.selector.split(' ').filter((w) => w !== 'mod');
    return { share: 1 / Number(mod), mode: mode === 'inc' ? 'nth' : 'random' };
  }
  for (const expr of rule.unrecognised) {
    const m = /^meta random & 2147483647 < (\d+)$/.exec(expr);
    if (m) return { share: Number(m[1]) / 2147483648, mode: 'random' };
  }
  return { share: rule.unrecognised.length ? null : 1, mode: null };
}

function collectNftBranches(
  table: NftTable, chain: NftChain, outer: ServiceKey, via: RuleRef[], depth: number,
  branches: Branch[], unrecognised: RuleRef[],
): void {
  for (const rule of chain.rules) {
    const key = mergeKey(outer, nftKey(rule));
    const ref = nftRef(table, chain, rule);
    const dnat = rule.statements.find((s) => s.kind === 'nat' && s.type === 'dnat');
    if (dnat && dnat.kind === 'nat') {
      const target = dnat.target;
      if (!target || !isServiceKey(key)) { unrecognised.push(ref); continue; }
      if (target.kind === 'address') {
        branches.push({ key, to: target, ...nftShare(rule), evidence: [...via, ref] });
      } else if (target.kind === 'numgen') {
        // Each of the N keys takes 1/N: as sequential branches, key j takes 1/(N-j) of what reaches it.
        const sorted = [...target.entries].sort((a, b) => a.key - b.key);
        sorted.forEach((entry, j) => {
          branches.push({ key, to: entry.to, share: 1 / (sorted.length - j), mode: target.mode === 'inc' ? 'numgen' : 'random', evidence: [...via, ref] });
        });
      } else {
        const resolved = resolveNamedMap(table, target.map, target.key, key);
        if (resolved) branches.push({ key, to: resolved, share: 1, mode: null, evidence: [...via, ref] });
        else unrecognised.push(ref);
      }
      continue;
    }
    const jump = rule.verdict && (rule.verdict.kind === 'jump' || rule.verdict.kind === 'goto') ? rule.verdict.chain : null;
    const next = jump ? table.chains.find((c) => c.name === jump) : undefined;
    if (next && depth < MAX_JUMP_DEPTH) collectNftBranches(table, next, key, [...via, ref], depth + 1, branches, unrecognised);
  }
}

/** `dnat to ip daddr map @m` on a rule that matched `ip daddr VIP`: the element for VIP. */
function resolveNamedMap(table: NftTable, map: string, mapKey: string, key: ServiceKey): NftNatAddress | null {
  if (!map.startsWith('@') || !/^ip6? daddr$/.test(mapKey) || key.address === null) return null;
  const named = table.sets.find((s) => s.kind === 'map' && s.name === map.slice(1));
  const entry = named?.entries?.find((e) => e.key === key.address);
  return entry ? parseNatAddress(entry.value) : null;
}

function nftSourceNat(table: NftTable, chain: NftChain, rule: NftRule, type: 'snat' | 'masquerade', target: unknown): SourceNatRule {
  const s = nftMatch(rule, ['ip saddr', 'ip6 saddr']);
  const d = nftMatch(rule, ['ip daddr', 'ip6 daddr']);
  const sport = nftMatch(rule, ['tcp sport', 'udp sport', 'sctp sport', 'th sport']);
  const to = target as { kind: string; address?: string; port?: number | null } | null;
  return {
    kind: type === 'snat' ? 'SNAT' : 'MASQUERADE',
    source: s?.value ?? null,
    sourceNegated: s?.op === '!=',
    destination: d?.value ?? null,
    destinationNegated: d?.op === '!=',
    outIface: nftMatch(rule, ['oifname', 'meta oifname'])?.values[0] ?? null,
    protocol: sport ? sport.selector.split(' ')[0] : nftMatch(rule, ['meta l4proto', 'ip protocol'])?.values[0] ?? null,
    sourcePorts: sport?.values ?? [],
    toSource: to?.kind === 'address' && to.address ? `${to.address}${to.port ? `:${to.port}` : ''}` : null,
    rule: nftRef(table, chain, rule),
  };
}

function nftFwmark(table: NftTable, chain: NftChain, rule: NftRule, value: { mark: number; mask: number | null }): FwmarkRule {
  const d = nftMatch(rule, ['ip daddr', 'ip6 daddr']);
  const dport = nftMatch(rule, ['tcp dport', 'udp dport', 'sctp dport', 'th dport']);
  return {
    ...value,
    destination: d?.value ?? null,
    protocol: dport ? dport.selector.split(' ')[0] : nftMatch(rule, ['meta l4proto', 'ip protocol'])?.values[0] ?? null,
    destinationPorts: dport?.values ?? [],
    inIface: nftMatch(rule, ['iifname', 'meta iifname'])?.values[0] ?? null,
    rule: nftRef(table, chain, rule),
  };
}

// ---------- branches -> services ----------

function keyId(k: ServiceKey): string {
  return k.fwmark !== null ? `FWM:${k.fwmark}` : `${k.protocol}:${k.address}:${k.port}`;
}

function servicesFromBranches(branches: Branch[], source: 'iptables' | 'nft'): NetfilterVirtualService[] {
  const groups = new Map<string, Branch[]>();
  for (const b of branches) {
    const id = keyId(b.key);
    groups.set(id, [...(groups.get(id) ?? []), b]);
  }
  const services: NetfilterVirtualService[] = [];
  for (const group of groups.values()) {
    // Branches are tried in rule order; the first unconditional one ends the service.
    const reachable: Branch[] = [];
    for (const b of group) {
      reachable.push(b);
      if (b.share === 1) break;
    }
    const portions = portionsOf(reachable);
    const merged = new Map<string, { to: NftNatAddress; portion: number | null }>();
    reachable.forEach((b, i) => {
      const id = `${b.to.address}|${b.to.port}`;
      const prev = merged.get(id);
      const portion = portions[i];
      merged.set(id, { to: b.to, portion: prev ? (prev.portion === null || portion === null ? null : prev.portion + portion) : portion });
    });
    const weights = integerWeights([...merged.values()].map((m) => m.portion));
    const destinations: RealServerEntry[] = [...merged.values()].map((m, i) => ({
      address: m.to.address, port: m.to.port, forward: 'Masq', weight: weights[i],
    }));
    const key = group[0].key;
    const modes = new Set(reachable.map((b) => b.mode).filter((m) => m !== null));
    const scheduler = modes.has('numgen') ? 'numgen' : modes.has('random') ? 'random' : modes.has('nth') ? 'nth' : reachable.length === 1 ? 'single' : null;
    const evidence: RuleRef[] = [];
    for (const b of reachable) for (const r of b.evidence) if (!evidence.some((e) => e.table === r.table && e.line === r.line)) evidence.push(r);
    services.push({
      source,
      protocol: key.fwmark !== null ? 'FWM' : key.protocol ?? 'TCP',
      address: key.fwmark !== null ? null : key.address,
      port: key.fwmark !== null ? null : key.port,
      fwmark: key.fwmark,
      scheduler,
      persistent: null,
      destinations,
      evidence,
    });
  }
  return services;
}

/** Fraction of all packets each branch takes, from the conditional shares. */
function portionsOf(branches: Branch[]): (number | null)[] {
  let remaining: number | null = 1;
  return branches.map((b) => {
    if (remaining === null || b.share === null) {
      remaining = null;
      return null;
    }
    const portion: number = remaining * b.share;
    remaining = remaining * (1 - b.share);
    return portion;
  });
}

/** Smallest integer weights proportional to the portions, or all null when they are not. */
function integerWeights(portions: (number | null)[]): (number | null)[] {
  if (portions.some((p) => p === null || p <= 0)) return portions.map(() => null);
  const values = portions as number[];
  const min = Math.min(...values);
  const ratios = values.map((v) => v / min);
  if (ratios.some((r) => Math.abs(r - Math.round(r)) > 0.01)) return portions.map(() => null);
  return ratios.map((r) => Math.round(r));
}
