import type { Check } from '../ids.js';
import { directorTable, sysctlNumber, sysctls } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';


// 5.21: with source policy routes on the director, IPVS must re-route its SNATed replies.
export const snatReroute: Check = {
  id: 'setup.snat-reroute',
  question: 'setup',
  title: 'Source policy routing on the director re-routes replies (snat_reroute)',
  needs: ['setup.balancer-present'],
  probes: [
    { role: 'director', probe: 'ip-rule' },
    { role: 'director', probe: 'sysctl' },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const table = directorTable(facts, topology);
    if (!table || table.kind !== 'ipvs') return skip('snat_reroute applies to IPVS directors only');
    const rules = facts.parsed(d, 'ip-rule')?.rules;
    if (!rules) return unknown(`ip rule could not be read on ${d}`);
    const custom = rules.filter((r) => !['local', 'main', 'default', '255', '254', '253'].includes(String(r.table ?? '')) && r.from && r.from !== 'all');
    if (custom.length === 0) return pass('no source policy routes on the director: replies follow the main table');
    const value = sysctlNumber(sysctls(facts, d), 'net.ipv4.vs.snat_reroute');
    if (value === undefined) return unknown('net.ipv4.vs.snat_reroute could not be read');
    if (value === 1) return pass('source policy routes exist and net.ipv4.vs.snat_reroute = 1');
    return fault({ verdict: 'fail', fault: 'director.snat-reroute', hosts: [d], summary: `source policy routes exist on ${d} but net.ipv4.vs.snat_reroute = 0: replies leave by the main default route`, evidence: [facts.evidence(d, 'ip-rule'), facts.evidence(d, 'sysctl', (l) => /snat_reroute/.test(l))], fixes: [
      { host: d, commands: ['sysctl -w net.ipv4.vs.snat_reroute=1'], why: 're-route SNATed replies by their new source (the VIP)' },
    ], certainty: 0.8 });
  },
};
