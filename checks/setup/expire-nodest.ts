import type { Check } from '../ids.js';
import { sysctlNumber, sysctls, tableAndService } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// ipvs-sysctl.rst, expire_nodest_conn: with 0 (the default) IPVS "silently drops packets when
// its destination server is not available" and keeps the entry until its timeout
// (ESTABLISHED: 15 min). A realserver removed from the service (a health checker's
// `ipvsadm -d`) leaves its clients hanging instead of reset; with 1 the entry is expired
// (on the real 6.1 guest at once on removal; the next packet gets a RST). A weight-0
// realserver is still available: its connections go on by design (draining), and only a
// reused client port is rescheduled away from it when expire_nodest_conn is 1.
const ENDED = new Set(['TIME_WAIT', 'CLOSE', 'NONE']);

export const expireNodest: Check = {
  id: 'setup.expire-nodest',
  question: 'setup',
  title: "No client is left hanging on a realserver removed from the service (expire_nodest_conn)",
  needs: ['setup.virtual-service'],
  probes: [
    { role: 'director', probe: 'sysctl' },
    { role: 'director', probe: 'ipvsadm-conn' },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const found = tableAndService(facts, topology);
    if (!found) return unknown('the virtual service could not be read');
    if (found.table.kind !== 'ipvs') return skip('expire_nodest_conn is an IPVS sysctl; this director balances with netfilter rules');
    const { svc } = found;
    const value = sysctlNumber(sysctls(facts, d), 'net.ipv4.vs.expire_nodest_conn');
    if (value === undefined) return unknown(`net.ipv4.vs.expire_nodest_conn could not be read on ${d}`);
    if (value !== 0) return pass(`net.ipv4.vs.expire_nodest_conn = ${value}: connections to a removed realserver are expired, their clients reset`);
    const conns = facts.parsed(d, 'ipvsadm-conn');
    if (conns?.format !== 'ipvsadm-connections') return unknown(`net.ipv4.vs.expire_nodest_conn = 0, and the connection table (ipvsadm -Lnc) could not be read on ${d}`);
    const inService = (address: string, port: number | string | null): boolean => svc.destinations.some((r) => r.address === address && (r.port === null || r.port === port));
    const orphans = conns.connections.filter(
      (c) => c.virtual.address === svc.address && c.virtual.port === svc.port && !ENDED.has(c.state) && !inService(c.destination.address, c.destination.port),
    );
    if (orphans.length === 0) {
      return pass(`net.ipv4.vs.expire_nodest_conn = 0 (the default) and no live connection of ${svc.address}:${svc.port} goes to a realserver outside the service`);
    }
    const gone = [...new Set(orphans.map((c) => `${c.destination.address}:${c.destination.port}`))];
    const longest = Math.max(...orphans.map((c) => c.expiresSeconds));
    const vs = `-t ${svc.address}:${svc.port}`;
    return fault({ verdict: 'warn', fault: 'director.expire-nodest-off', hosts: [d], summary: `${orphans.length} live connection(s) of ${svc.address}:${svc.port} still go to ${gone.join(', ')}, no longer in the service: with net.ipv4.vs.expire_nodest_conn = 0 their packets are dropped silently and the clients hang until the entries expire (up to ${longest} s)`, evidence: [
      facts.evidence(d, 'sysctl', (l) => /^net\.ipv4\.vs\.expire_nodest_conn /.test(l)),
      facts.evidence(d, 'ipvsadm-conn', (l) => gone.some((g) => l.trimEnd().endsWith(` ${g}`)) && !/TIME_WAIT|CLOSE|NONE/.test(l), 'entries to a realserver removed from the service'),
      facts.evidence(d, found.table.probe, (l) => /->|TCP|UDP|SCTP/.test(l), `${gone.join(', ')} is not listed`),
    ], fixes: [
      { host: d, commands: ['sysctl -w net.ipv4.vs.expire_nodest_conn=1'], why: `expire the connections of a removed realserver instead of dropping their packets until the timeout (these clients then get a RST at their next packet; to let them finish instead: ${gone.map((g) => `ipvsadm -a ${vs} -r ${g} -m -w 0`).join(', ')})` },
    ], certainty: 0.8 });
  },
};
