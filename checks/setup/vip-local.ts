import type { Check } from '../ids.js';
import { addresses, interfaceOf } from '../../src/facts/readers.js';
import { fault, pass, unknown } from '../lib.js';

// 5.3: the director must own the VIP, or the client's SYN is never accepted for IPVS.
export const vipLocal: Check = {
  id: 'setup.vip-local',
  question: 'setup',
  title: 'The VIP is on a director interface',
  needs: [],
  probes: [{ role: 'director', probe: 'ip-addr', required: true }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const { vip } = topology.service;
    const list = addresses(facts, d);
    if (!list) return unknown(`ip -o addr could not be read on ${d}`);
    const on = interfaceOf(facts, d, vip);
    if (on) return pass(`VIP ${vip} is on ${d} ${on.ifname}`, [facts.evidence(d, 'ip-addr', (l) => l.includes(` ${vip}/`))]);
    const ext = topology.director.ext ?? facts.derived.ext ?? 'EXT';
    return fault({ verdict: 'fail', fault: 'director.vip-not-local', hosts: [d], summary: `VIP ${vip} is on no interface of ${d}: the director does not accept the client's packets`, evidence: [facts.evidence(d, 'ip-addr', (l) => / inet /.test(l), `no line holds ${vip}`)], fixes: [
      { host: d, commands: [`ip addr add ${vip}/32 dev ${ext}`], why: 'put the VIP back on the client-facing interface (and in the boot configuration / keepalived)' },
    ], certainty: 0.9 });
  },
};
