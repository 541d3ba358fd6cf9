import type { Check } from '../ids.js';
import { listeners, listensOn } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.7/5.14: with port remapping the daemon must listen on RPORT, not on VPORT.
export const listener: Check = {
  id: 'q4.listener',
  question: 'q4-realserver',
  title: 'Each realserver listens on RIP:RPORT',
  needs: [],
  probes: [{ role: 'realserver', probe: 'ss-listen' }],
  evaluate({ topology, facts }) {
    if (topology.service.protocol !== 'TCP') return skip('listeners are checked for TCP services');
    const probed = topology.realservers.filter((r) => facts.probed(r.name));
    if (probed.length === 0) return skip('no realserver can be probed (director-only mode)');
    const missing = [];
    let read = 0;
    for (const rs of probed) {
      const list = listeners(facts, rs.name);
      if (!list) continue;
      read += 1;
      if (!listensOn(list, rs.rip, rs.rport)) missing.push({ rs, list });
    }
    if (read === 0) return unknown('ss -ltn could not be read on any realserver');
    if (missing.length === 0) return pass(`every probed realserver listens on its RIP:RPORT`);
    return fault({ verdict: 'fail', fault: 'realserver.no-listener', hosts: missing.map((m) => m.rs.name), summary: missing.map((m) => `${m.rs.name} has no listener on ${m.rs.rip}:${m.rs.rport} (listening: ${m.list.map((l) => `${l.address}:${l.port}`).join(' ') || 'nothing'})`).join('; '), evidence: missing.map((m) => facts.evidence(m.rs.name, 'ss-listen')), fixes: missing.map((m) => ({ host: m.rs.name, commands: [`ss -ltn 'sport = :${m.rs.rport}'`], why: `the director sends the requests to ${m.rs.rip}:${m.rs.rport}: start the service there, or fix the port in the director's table` })), certainty: 0.75 });
  },
};
