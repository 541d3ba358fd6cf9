import type { Check } from '../ids.js';
import { neighbourEntry, pingReading } from '../../src/facts/readers.js';
import { holdsMac } from '../../src/parsers/ip-neigh.js';
import type { Evidence, Fix } from '../../src/model/check.js';
import { fault, pass, unknown } from '../lib.js';

// Before any LVS question: can the director reach each RIP at all (ARP, cabling, address)?
export const directorReachesRealservers: Check = {
  id: 'q1.director-reaches-realservers',
  question: 'q1-ping',
  title: 'The director reaches every RIP (ping from the DIP)',
  needs: [],
  probes: [
    { role: 'director', probe: 'ping-rip' },
    { role: 'director', probe: 'neigh', supplementary: true },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    if (!facts.probed(d)) return unknown(`the director ${d} could not be probed${facts.hosts.get(d)?.reason ? ` (${facts.hosts.get(d)?.reason})` : ''}`);
    const silent: { name: string; evidence: Evidence }[] = [];
    let read = 0;
    for (const rs of topology.realservers) {
      const p = pingReading(facts, d, 'ping-rip', rs.name);
      if (!p) continue;
      read += 1;
      if (p.received === 0) silent.push({ name: rs.name, evidence: facts.evidence(d, 'ping-rip', undefined, `no answer from ${rs.rip}`, rs.name) });
    }
    // The director's ARP entry for each silent RIP, read as its ping started: a MAC says the
    // address answered ARP (its pings are dropped, or it moved); none, that nothing answers there.
    const ripOf = (name: string): string => topology.realservers.find((r) => r.name === name)!.rip;
    const arpEvidence = (names: readonly string[]): Evidence[] => {
      const lines = names.map((n) => neighbourEntry(facts, d, ripOf(n))).filter((e) => e !== undefined);
      if (lines.length === 0) return [];
      const held = lines.filter(holdsMac).map((e) => e.address);
      const note = held.length === lines.length ? `the director holds the MAC of ${held.join(', ')}: ARP was answered` : held.length === 0 ? `the director holds no MAC for ${lines.map((e) => e.address).join(', ')}` : `the director holds the MAC of ${held.join(', ')} only`;
      return [facts.evidence(d, 'neigh', (l) => lines.some((e) => l.trim().startsWith(`${e.address} `)), note)];
    };
    if (read === 0) return unknown(`the director could not ping the realservers (no DIP known or ping failed to run)`);
    // A realserver that answered a test connection's SYN from its RIP got that SYN from the
    // director: it is reachable now, and only drops the director's pings (ICMP echo filtered).
    const answered = new Set((facts.hopAnalysis?.connections ?? []).flatMap((c) => (c.realserver && c.hops.some((h) => h.name === 'reply' && h.status === 'seen') ? [c.realserver.name] : [])));
    const filtersPing = silent.filter((s) => answered.has(s.name));
    const pingNote = filtersPing.length > 0 ? `; ${filtersPing.map((s) => s.name).join(', ')} ${filtersPing.length === 1 ? 'drops' : 'drop'} its pings but answered the test connection it forwarded (ICMP echo filtered)` : '';
    const down = silent.filter((s) => !answered.has(s.name));
    if (down.length === 0) return pass(`the director reaches all ${read} RIP(s) from ${facts.derived.dip ?? 'its DIP'}${pingNote}`, [...filtersPing.map((s) => s.evidence), ...arpEvidence(filtersPing.map((s) => s.name))]);
    // A realserver that answers ssh (over another network) but not ping may only filter ICMP:
    // a warning here, unless the test connection's wire showed it answer.
    const names = down.map((s) => s.name);
    const sshOk = names.filter((n) => facts.probed(n));
    const fixes: Fix[] = names.map((n) => ({ host: n, commands: [`ip -o addr show to ${topology.realservers.find((r) => r.name === n)!.rip}`], why: `the director gets no answer from this RIP: check that it is configured on ${n} (this command shows it), then the cabling/VLAN` }));
    return fault({ verdict: sshOk.length === names.length ? 'warn' : 'fail', fault: 'realserver.unreachable', hosts: names, summary: `the director gets no ping answer from ${names.join(', ')}${pingNote}`, evidence: [...down.map((s) => s.evidence), ...arpEvidence(names)], fixes, certainty: sshOk.length === names.length ? 0.4 : 0.8 });
  },
};
