import type { Check } from '../ids.js';
import { ipvsadmServiceFlag, tableAndService } from '../../src/facts/readers.js';
import { fault, pass, unknown } from '../lib.js';

export const weights: Check = {
  id: 'setup.weights',
  question: 'setup',
  title: 'At least one realserver has a weight above 0',
  needs: ['setup.virtual-service'],
  probes: [{ role: 'director', probe: 'ipvsadm' }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const found = tableAndService(facts, topology);
    if (!found) return unknown('the virtual service could not be read');
    const { table, svc } = found;
    const live = svc.destinations.filter((r) => r.weight === null || r.weight > 0);
    if (live.length > 0) return pass(`${live.length} of ${svc.destinations.length} realserver(s) take new connections`);
    const vs = ipvsadmServiceFlag(svc);
    const commands =
      table.kind === 'ipvs'
        ? svc.destinations.length > 0
          ? svc.destinations.map((r) => `ipvsadm -e ${vs} -r ${r.address}${r.port !== null ? `:${r.port}` : ''} -m -w 1`)
          : topology.realservers.map((r) => `ipvsadm -a ${vs} -r ${r.rip}:${r.rport} -m -w 1`)
        : [];
    // A netfilter balancer's rule cannot be rebuilt from here: the why says what it needs.
    const targets = topology.realservers.map((r) => `${r.rip}:${r.rport}`).join(', ');
    const summary = svc.destinations.length === 0 ? `${svc.address}:${svc.port} has no realserver at all` : `every realserver of ${svc.address}:${svc.port} has weight 0: new connections are refused`;
    return fault({ verdict: 'fail', fault: 'director.no-weight', hosts: [d], summary, evidence: [facts.evidence(d, table.probe, (l) => /->|DNAT|dnat/.test(l))], fixes: [
      { host: d, commands, why: table.kind === 'ipvs' ? 'give the realservers a weight again; if a health checker set 0, check why it thinks they are down' : `add DNAT targets (${targets}) to the rule of ${svc.address}:${svc.port}; if a health checker removed them, check why it thinks they are down` },
    ], certainty: 1 });
  },
};
