import type { Check } from '../ids.js';
import { addresses } from '../../src/facts/readers.js';
import { fault, notOnClientSide, pass, unknown } from '../lib.js';

// 5.9 Q.3 A.5: a connection from the director itself to the VIP is not load-balanced like a client's.
export const clientNotDirector: Check = {
  id: 'setup.client-not-director',
  question: 'setup',
  title: 'The test client is not the director',
  needs: [],
  probes: [
    { role: 'client', probe: 'ip-addr' },
    { role: 'director', probe: 'ip-addr' },
  ],
  evaluate({ topology, facts }) {
    const c = topology.client.name;
    const d = topology.director.name;
    if (c === d) return sameHost(c, d);
    const ca = addresses(facts, c);
    const da = addresses(facts, d);
    if (!ca || !da) return unknown('the addresses of the client or the director could not be read');
    const shared = ca.filter((a) => !a.address.startsWith('127.') && a.address !== '::1' && da.some((b) => b.address === a.address));
    if (shared.length > 0) return notOnClientSide(topology, `it is the director (both hold ${shared.map((s) => s.address).join(', ')})`) ?? sameHost(c, d, shared.map((s) => s.address));
    return pass(`the client ${c} is a separate host`);
  },
};

function sameHost(c: string, d: string, shared: string[] = []) {
  return fault({ verdict: 'fail', fault: 'client.is-director', hosts: [c], summary: `the test client ${c} is the director ${d}${shared.length ? ` (both hold ${shared.join(', ')})` : ''}: a connection from the director to its own VIP does not test LVS-NAT`, evidence: [
    { host: c, command: 'ip -o addr', lines: shared, note: 'addresses on both hosts' },
  ], fixes: [{ host: c, commands: [], why: 'test from another host: run lvs-doctor with --client HOST, a client outside the director' }], certainty: 1 });
}
