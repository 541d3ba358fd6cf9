import type { Check } from '../ids.js';
import { conntrackDependentRules } from '../../src/director/conntrack-dependent.js';
import { directorTable, sysctlNumber, sysctls } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// ipvs-sysctl.rst, conntrack: "should be enabled if connections handled by IPVS are to be
// also handled by stateful firewall rules". With 0, the director's stateful FORWARD rules
// drop the realservers' replies (real 6.1 guest, job vs: SYN+ACK on int0, never on ext0,
// counted by the FORWARD DROP policy) and its SNAT/MASQUERADE rules never apply to IPVS
// traffic. The wire's word on it is q3.reply-rewritten's.
export const vsConntrack: Check = {
  id: 'setup.vs-conntrack',
  question: 'setup',
  title: 'Netfilter rules that need conntrack see IPVS traffic (net.ipv4.vs.conntrack)',
  needs: ['setup.balancer-present'],
  probes: [
    { role: 'director', probe: 'sysctl' },
    { role: 'director', probe: 'iptables-save' },
    { role: 'director', probe: 'nft' },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const table = directorTable(facts, topology);
    if (!table || table.kind !== 'ipvs') return skip('net.ipv4.vs.conntrack is an IPVS sysctl; a netfilter-NAT director tracks its flows anyway');
    const value = sysctlNumber(sysctls(facts, d), 'net.ipv4.vs.conntrack');
    if (value === undefined) return unknown(`net.ipv4.vs.conntrack could not be read on ${d}`);
    if (value !== 0) return pass(`net.ipv4.vs.conntrack = ${value}: stateful and NAT rules see IPVS connections`);
    const ipt = facts.parsed(d, 'iptables-save');
    const nft = facts.parsed(d, 'nft');
    if (!ipt && !nft) return unknown(`net.ipv4.vs.conntrack = 0, and the firewall (iptables-save / nft list ruleset) could not be read on ${d}`);
    const rules = conntrackDependentRules(ipt, nft);
    if (rules.length === 0) return pass('net.ipv4.vs.conntrack = 0 and no stateful FORWARD rule set or SNAT/MASQUERADE rule on the director needs it');
    const probe = ipt && rules.some((r) => ipt.tables.some((t) => t.chains.some((c) => c.rules.some((x) => x.text === r.text)))) ? 'iptables-save' : 'nft';
    const whys = [...new Set(rules.map((r) => r.why))];
    return fault({ verdict: 'warn', fault: 'director.vs-conntrack-off', hosts: [d], summary: `net.ipv4.vs.conntrack = 0 on ${d}, but its netfilter rules need conntrack for IPVS traffic: ${whys.join('; ')}`, evidence: [
      facts.evidence(d, 'sysctl', (l) => /^net\.ipv4\.vs\.conntrack /.test(l)),
      { host: d, command: probe === 'iptables-save' ? 'iptables-save -c' : 'nft list ruleset', lines: rules.map((r) => `${r.text}${r.packets !== null ? `   (${r.packets} packets)` : ''}`), note: 'rules that need conntrack' },
    ], fixes: [
      { host: d, commands: ['sysctl -w net.ipv4.vs.conntrack=1', "echo 'net.ipv4.vs.conntrack = 1' > /etc/sysctl.d/90-ipvs-conntrack.conf"], why: 'keep conntrack entries for IPVS connections, so stateful and NAT rules match them' },
    ], certainty: 0.7 });
  },
};
