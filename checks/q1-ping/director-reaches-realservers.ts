import type { Check } from '../ids.js';
import { pingReading } from '../../src/facts/readers.js';
import type { Evidence, Fix } from '../../src/model/check.js';
import { fault, pass, unknown } from '../lib.js';

// Before any LVS question: can the director reach each RIP at all (ARP, cabling, address)?
export const directorReachesRealservers: Check = {
  id: 'q1.director-reaches-realservers',
  question: 'q1-ping',
  title: 'The director reaches every RIP (ping from the DIP)',
  needs: [],
  probes: [{ role: 'director', probe: 'ping-rip' }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    if (!facts.probed(d)) return unknown(`the director ${d} could not be probed${facts.hosts.get(d)?.reason ? ` (${facts.hosts.get(d)?.reason})` : ''}`);
    const down: string[] = [];
    const evidence: Evidence[] = [];
    let read = 0;
    for (const rs of topology.realservers) {
      const p = pingReading(facts, d, 'ping-rip', rs.name);
      if (!p) continue;
      read += 1;
      if (p.received === 0) {
        down.push(rs.name);
        evidence.push(facts.evidence(d, 'ping-rip', undefined, `no answer from ${rs.rip}`, rs.name));
      }
    }
    if (read === 0) return unknown(`the director could not ping the realservers (no DIP known or ping failed to run)`);
    if (down.length === 0) return pass(`the director reaches all ${read} RIP(s) from ${facts.derived.dip ?? 'its DIP'}`);
    // A realserver that answers ssh (over another network) but not ping may only filter ICMP:
    // a warning here; the test connection's wire turns it into proof.
    const sshOk = down.filter((n) => facts.probed(n));
    const fixes: Fix[] = down.map((n) => ({ host: n, commands: [`ip -o addr show to ${topology.realservers.find((r) => r.name === n)!.rip}`], why: `the director gets no answer from this RIP: check that it is configured on ${n} (this command shows it), then the cabling/VLAN` }));
    return fault({ verdict: sshOk.length === down.length ? 'warn' : 'fail', fault: 'realserver.unreachable', hosts: down, summary: `the director gets no ping answer from ${down.join(', ')}`, evidence, fixes, certainty: sshOk.length === down.length ? 0.4 : 0.8 });
  },
};
