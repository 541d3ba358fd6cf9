import type { Check } from '../ids.js';
import { directorTable } from '../../src/facts/readers.js';
import { fault, pass, unknown } from '../lib.js';

// 5.10: without IPVS (or a netfilter NAT balancer standing in) there is nothing to diagnose.
export const balancerPresent: Check = {
  id: 'setup.balancer-present',
  question: 'setup',
  title: 'The director has a load balancer (IPVS or netfilter NAT)',
  needs: [],
  probes: [
    { role: 'director', probe: 'ipvsadm' },
    { role: 'director', probe: 'iptables-save' },
    { role: 'director', probe: 'nft' },
    { role: 'director', probe: 'modules' },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    if (!facts.probed(d)) return unknown(`the director ${d} could not be probed`);
    const table = directorTable(facts, topology);
    if (!table) return unknown('neither ipvsadm nor the netfilter rules could be read on the director', [facts.evidence(d, 'ipvsadm'), facts.evidence(d, 'iptables-save')]);
    if (table.kind === 'ipvs') return pass(`IPVS answers on ${d} (${table.services.length} virtual service(s))`, [facts.evidence(d, 'ipvsadm', undefined, undefined)]);
    if (table.kind === 'netfilter') return pass(`${d} load-balances with netfilter NAT (${table.probe}): ${table.services.length} DNAT service(s)`, [facts.evidence(d, table.probe, (l) => /DNAT|dnat/.test(l))]);
    return fault({ verdict: 'fail', fault: 'director.ipvs-unavailable', hosts: [d], summary: `IPVS is not available on ${d} and no netfilter NAT rule balances a VIP`, evidence: [facts.evidence(d, 'ipvsadm')], fixes: [
      { host: d, commands: ['modprobe ip_vs', 'modprobe ip_vs_rr'], why: 'load the IPVS core and the scheduler module' },
    ], certainty: 1 });
  },
};
