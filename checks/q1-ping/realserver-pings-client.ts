import type { Check } from '../ids.js';
import { pingReading } from '../../src/facts/readers.js';
import type { Evidence } from '../../src/model/check.js';
import { pass, skip, unknown } from '../lib.js';

// Julian's Q.1: can the realserver ping the client from its RIP? A failure here is proof the
// return path is broken somewhere; Q.2 names where.
export const realserverPingsClient: Check = {
  id: 'q1.realserver-pings-client',
  question: 'q1-ping',
  title: 'Q.1 each realserver pings the client from its RIP',
  needs: [],
  probes: [{ role: 'realserver', probe: 'ping-client' }],
  evaluate({ topology, facts }) {
    const cip = facts.derived.cip;
    if (!cip) return unknown("the client's address (CIP) is not known: give client.cip in the inventory");
    const probed = topology.realservers.filter((r) => facts.probed(r.name));
    if (probed.length === 0) return skip('no realserver can be probed (director-only mode): Q.1 is not asked');
    const failed: Evidence[] = [];
    const redirected: Evidence[] = [];
    let ok = 0;
    for (const rs of probed) {
      const p = pingReading(facts, rs.name, 'ping-client');
      if (!p) continue;
      if (p.redirectNexthop) redirected.push(facts.evidence(rs.name, 'ping-client', (l) => /Redirect/i.test(l), `ICMP redirect: new next hop ${p.redirectNexthop}`));
      if (p.received > 0) ok += 1;
      else failed.push(facts.evidence(rs.name, 'ping-client', undefined, `${rs.rip} -> ${cip}: no reply`));
    }
    if (failed.length > 0) {
      return { verdict: 'fail', summary: `${failed.map((e) => e.host).join(', ')} cannot ping the client ${cip} from the RIP`, evidence: [...failed, ...redirected], fixes: [], certainty: 0.5 };
    }
    if (redirected.length > 0) {
      return { verdict: 'warn', summary: `the ping works but was redirected: the realserver is told to bypass the director`, evidence: redirected, fixes: [] };
    }
    return pass(`all ${ok} probed realserver(s) ping ${cip} from their RIP`);
  },
};
