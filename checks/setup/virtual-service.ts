import type { Check } from '../ids.js';
import { directorTable, serviceUnderTest } from '../../src/facts/readers.js';
import { fault, pass, unknown } from '../lib.js';

export const virtualService: Check = {
  id: 'setup.virtual-service',
  question: 'setup',
  title: 'The virtual service VIP:VPORT is in the table',
  needs: ['setup.balancer-present'],
  probes: [{ role: 'director', probe: 'ipvsadm' }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const table = directorTable(facts, topology);
    if (!table || table.kind === 'none') return unknown('the director table could not be read');
    const { vip, vport, protocol, fwmark } = topology.service;
    const name = fwmark !== undefined ? `FWM ${fwmark}` : `${protocol} ${vip}:${vport}`;
    const svc = serviceUnderTest(table, topology);
    if (svc) return pass(`${name} is a virtual service (${svc.source}, scheduler ${svc.scheduler ?? 'n/a'}, ${svc.destinations.length} realserver(s))`);
    const listed = table.services.map((s) => (s.fwmark !== null ? `FWM ${s.fwmark}` : `${s.protocol} ${s.address}:${s.port}`)).join(', ') || 'none';
    const flag = protocol === 'UDP' ? '-u' : protocol === 'SCTP' ? '--sctp-service' : '-t';
    const commands =
      table.kind === 'ipvs'
        ? [fwmark !== undefined ? `ipvsadm -A -f ${fwmark} -s rr` : `ipvsadm -A ${flag} ${vip}:${vport} -s rr`, ...topology.realservers.map((r) => `ipvsadm -a ${fwmark !== undefined ? `-f ${fwmark}` : `${flag} ${vip}:${vport}`} -r ${r.rip}:${r.rport} -m -w 1`)]
        : [`iptables -t nat -A PREROUTING -d ${vip}/32 -p ${protocol.toLowerCase()} --dport ${vport} -j DNAT --to-destination ${topology.realservers[0]?.rip ?? 'RIP'}:${topology.realservers[0]?.rport ?? vport}`];
    return fault({ verdict: 'fail', fault: 'director.no-virtual-service', hosts: [d], summary: `no virtual service ${name} on ${d} (it has: ${listed})`, evidence: [facts.evidence(d, table.probe)], fixes: [{ host: d, commands, why: `create ${name} with its realservers in masquerading mode` }], certainty: 1 });
  },
};
