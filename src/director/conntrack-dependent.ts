// Netfilter rules on an IPVS director that only work on IPVS traffic when IPVS keeps
// conntrack entries for it (net.ipv4.vs.conntrack=1, ipvs-sysctl.rst): with 0, IPVS detaches
// the packets it forwards from conntrack, so a realserver's reply crossing FORWARD is not
// ESTABLISHED (a stateful FORWARD that drops the rest drops it), and nat POSTROUTING
// (SNAT/MASQUERADE) never sees it.
import type { IptablesChain, IptablesRule, IptablesSave } from '../parsers/iptables-save.js';
import type { NftChain, NftRule, NftRuleset } from '../parsers/nft.js';

export interface ConntrackDependentRule {
  /** The rule (or the chain's policy line) as printed. */
  text: string;
  /** Why IPVS traffic needs conntrack for it, one clause. */
  why: string;
  /** Packets it matched (iptables-save -c / nft counter), null when not counted. */
  packets: number | null;
}

const STATEFUL = 'a stateful FORWARD rule set: without conntrack the replies are not ESTABLISHED and fall to its drop';
const SNAT = 'SNAT/MASQUERADE in nat POSTROUTING: without conntrack IPVS packets never reach the nat table';

export function conntrackDependentRules(ipt: IptablesSave | undefined, nft: NftRuleset | undefined): ConntrackDependentRule[] {
  const fromIpt = ipt ? fromIptables(ipt) : [];
  return fromIpt.length > 0 ? fromIpt : nft ? fromNft(nft) : [];
}

function fromIptables(ipt: IptablesSave): ConntrackDependentRule[] {
  const out: ConntrackDependentRule[] = [];
  const chain = (table: string, name: string): IptablesChain | undefined => ipt.tables.find((t) => t.name === table)?.chains.find((c) => c.name === name);
  const forward = chain('filter', 'FORWARD');
  if (forward) {
    const stateful = forward.rules.filter(usesConntrackState);
    const drops = forward.policy === 'DROP' || forward.rules.some((r) => r.target?.name === 'DROP' || r.target?.name === 'REJECT');
    if (stateful.length > 0 && drops) {
      if (forward.policy === 'DROP') out.push({ text: `:FORWARD DROP${forward.counters ? ` [${forward.counters.packets}:${forward.counters.bytes}]` : ''}`, why: STATEFUL, packets: forward.counters?.packets ?? null });
      for (const r of stateful) out.push({ text: r.text, why: STATEFUL, packets: r.counters?.packets ?? null });
    }
  }
  for (const r of chain('nat', 'POSTROUTING')?.rules ?? []) {
    if (r.target?.name === 'SNAT' || r.target?.name === 'MASQUERADE') out.push({ text: r.text, why: SNAT, packets: r.counters?.packets ?? null });
  }
  return out;
}

function usesConntrackState(r: IptablesRule): boolean {
  return r.matches.some((m) => (m.name === 'conntrack' && m.options.some((o) => o.name === 'ctstate')) || (m.name === 'state' && m.options.some((o) => o.name === 'state')));
}

function fromNft(nft: NftRuleset): ConntrackDependentRule[] {
  const out: ConntrackDependentRule[] = [];
  const chains = nft.tables.filter((t) => t.family === 'ip' || t.family === 'inet').flatMap((t) => t.chains);
  for (const c of chains.filter((ch) => ch.hook === 'forward')) {
    const stateful = c.rules.filter((r) => r.matches.some((m) => m.selector === 'ct state'));
    if (stateful.length > 0 && (c.policy === 'drop' || c.rules.some((r) => r.verdict?.kind === 'drop' || r.verdict?.kind === 'reject'))) {
      if (c.policy === 'drop') out.push({ text: `chain ${c.name} { type ${c.type ?? 'filter'} hook forward; policy drop; }`, why: STATEFUL, packets: null });
      for (const r of stateful) out.push(nftRule(r, STATEFUL));
    }
  }
  for (const c of chains.filter((ch: NftChain) => ch.hook === 'postrouting')) {
    for (const r of c.rules) if (r.statements.some((s) => s.kind === 'nat' && (s.type === 'snat' || s.type === 'masquerade'))) out.push(nftRule(r, SNAT));
  }
  return out;
}

function nftRule(r: NftRule, why: string): ConntrackDependentRule {
  return { text: r.text, why, packets: r.counters?.packets ?? null };
}
