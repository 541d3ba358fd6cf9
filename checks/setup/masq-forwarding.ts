import type { Check } from '../ids.js';
import { ipvsadmServiceFlag, tableAndService } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.10: a realserver added with -g or -i in a NAT setup receives packets still addressed to the VIP.
export const masqForwarding: Check = {
  id: 'setup.masq-forwarding',
  question: 'setup',
  title: 'Every realserver is forwarded by masquerading (-m)',
  needs: ['setup.virtual-service'],
  probes: [{ role: 'director', probe: 'ipvsadm' }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const found = tableAndService(facts, topology);
    if (!found) return unknown('the virtual service could not be read');
    const { table, svc } = found;
    if (table.kind === 'netfilter') return skip('netfilter DNAT always masquerades: nothing to check');
    const wrong = svc.destinations.filter((r) => r.forward !== 'Masq');
    if (wrong.length === 0) return pass(`all ${svc.destinations.length} realserver(s) of ${svc.address}:${svc.port} use Masq`);
    const vs = ipvsadmServiceFlag(svc);
    return fault({ verdict: 'fail', fault: 'director.not-masq', hosts: [d], summary: `${wrong.map((r) => `${r.address} is forwarded by ${r.forward}`).join('; ')}: in LVS-NAT they must be Masq`, evidence: [facts.evidence(d, 'ipvsadm', (l) => wrong.some((r) => l.includes(r.address)))], fixes: [
      { host: d, commands: wrong.map((r) => `ipvsadm -e ${vs} -r ${r.address}${r.port !== null ? `:${r.port}` : ''} -m -w ${r.weight ?? 1}`), why: 'switch the realserver to masquerading (NAT)' },
    ], certainty: 1 });
  },
};
