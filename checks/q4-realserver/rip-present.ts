import type { Check } from '../ids.js';
import { addresses } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';
import { ripMissingFix } from '../rip-fix.js';

// 5.9 Q.4 A.4: the RIP must be an address of the realserver itself.
export const ripPresent: Check = {
  id: 'q4.rip-present',
  question: 'q4-realserver',
  title: 'Each realserver holds its RIP',
  needs: [],
  probes: [{ role: 'realserver', probe: 'ip-addr' }],
  evaluate({ topology, facts }) {
    const probed = topology.realservers.filter((r) => facts.probed(r.name));
    if (probed.length === 0) return skip('no realserver can be probed (director-only mode)');
    const missing = probed.filter((r) => {
      const list = addresses(facts, r.name);
      return list !== undefined && !list.some((a) => a.address === r.rip);
    });
    if (probed.every((r) => addresses(facts, r.name) === undefined)) return unknown('ip -o addr could not be read on any realserver');
    if (missing.length === 0) return pass('every probed realserver holds its RIP');
    return fault({ verdict: 'fail', fault: 'realserver.rip-missing', hosts: missing.map((r) => r.name), summary: missing.map((r) => `${r.rip} is on no interface of ${r.name}`).join('; '), evidence: missing.map((r) => facts.evidence(r.name, 'ip-addr', (l) => / inet /.test(l))), fixes: missing.map((r) => ripMissingFix(topology, facts, r)), certainty: 1 });
  },
};
