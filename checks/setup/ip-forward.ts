import type { Check } from '../ids.js';
import { sysctlNumber, sysctls } from '../../src/facts/readers.js';
import { fault, pass, unknown } from '../lib.js';

// 5.10: IPVS forwards requests from LOCAL_IN, but the realservers' replies are routed, so
// they need ip_forward; plain netfilter NAT drops the request itself.
export const ipForward: Check = {
  id: 'setup.ip-forward',
  question: 'setup',
  title: 'The director forwards IPv4 (net.ipv4.ip_forward=1)',
  needs: [],
  probes: [{ role: 'director', probe: 'sysctl', required: true }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const value = sysctlNumber(sysctls(facts, d), 'net.ipv4.ip_forward');
    if (value === undefined) return unknown(`net.ipv4.ip_forward could not be read on ${d}`);
    const ev = [facts.evidence(d, 'sysctl', (l) => /ip_forward/.test(l))];
    if (value === 1) return pass(`${d} forwards (net.ipv4.ip_forward = 1)`, ev);
    return fault({ verdict: 'fail', fault: 'director.ip-forward-off', hosts: [d], summary: `net.ipv4.ip_forward = 0 on ${d}: the replies of the realservers are not forwarded`, evidence: ev, fixes: [
      { host: d, commands: ['sysctl -w net.ipv4.ip_forward=1', "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-lvs.conf"], why: 'turn forwarding on now and at boot' },
    ], certainty: 1 });
  },
};
