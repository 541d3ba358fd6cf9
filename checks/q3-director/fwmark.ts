import type { Check } from '../ids.js';
import { netfilterFromIptables } from '../../src/director/from-netfilter.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.9 Q.3 A.5: a firewall-mark service sees nothing unless the mangle rule marks the packets.
export const fwmark: Check = {
  id: 'q3.fwmark',
  question: 'q3-director',
  title: 'A firewall-mark service gets marked packets',
  needs: [],
  probes: [{ role: 'director', probe: 'iptables-save' }],
  evaluate({ topology, facts }) {
    const mark = topology.service.fwmark;
    if (mark === undefined) return skip('not a firewall-mark service');
    const d = topology.director.name;
    const ipt = facts.parsed(d, 'iptables-save');
    if (!ipt) return unknown(`iptables-save could not be read on ${d}`);
    const rules = netfilterFromIptables(ipt).fwmarks.filter((r) => r.mark === mark);
    const { vip, vport, protocol } = topology.service;
    const fix = [{ host: d, commands: [`iptables -t mangle -A PREROUTING -d ${vip}/32 -p ${protocol.toLowerCase()} --dport ${vport} -j MARK --set-mark ${mark}`], why: 'mark the service\'s packets so IPVS sees them' }];
    if (rules.length === 0) return fault({ verdict: 'fail', fault: 'client.fwmark-unmarked', hosts: [d], summary: `no mangle rule sets mark ${mark}: the FWM service never sees a packet`, evidence: [facts.evidence(d, 'iptables-save', (l) => /MARK/.test(l))], fixes: fix, certainty: 0.9 });
    if (rules.every((r) => r.rule.counters?.packets === 0)) return fault({ verdict: 'fail', fault: 'client.fwmark-unmarked', hosts: [d], summary: `the rule setting mark ${mark} has matched no packet`, evidence: [facts.evidence(d, 'iptables-save', (l) => /MARK/.test(l))], fixes: fix, certainty: 0.7 });
    return pass(`mark ${mark} is set by ${rules.length} mangle rule(s)`);
  },
};
