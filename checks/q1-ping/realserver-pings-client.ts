import type { Check } from '../ids.js';
import { directorOwnAddresses, pingReading } from '../../src/facts/readers.js';
import type { Evidence } from '../../src/model/check.js';
import type { ConnectionHops } from '../../src/facts/hop-analysis.js';
import type { Facts } from '../../src/facts/facts.js';
import type { Topology } from '../../src/model/topology.js';
import { unansweredArpForDirector } from '../../src/facts/unanswered-arp.js';
import { pass, skip, unknown } from '../lib.js';

// Julian's Q.1: can the realserver ping the client from its RIP? A failure here is proof the
// return path is broken somewhere; Q.2 names where. Unless the test connection proved that path
// working: a realserver whose answer reached the client rewritten through the director, and the
// client completed that handshake, has a return path, and its unanswered ping says only that ICMP
// echo is dropped on the way (a client firewall does it by default on many systems). Not when the
// client was left asking ARP for the director (its answers to the pings wait on that ARP: once the
// director asked for the client's MAC itself, late SYNs went through; recorded in
// fixtures/bundles-arp/ipvs-director.arp-ignore-late-syns).
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
    const filtered: Evidence[] = [];
    const returned = returnedToClient(topology, facts, cip);
    const redirected: Evidence[] = [];
    let ok = 0;
    for (const rs of probed) {
      const p = pingReading(facts, rs.name, 'ping-client');
      if (!p) continue;
      if (p.redirectNexthop) redirected.push(facts.evidence(rs.name, 'ping-client', (l) => /Redirect/i.test(l), `ICMP redirect: new next hop ${p.redirectNexthop}`));
      if (p.received > 0) ok += 1;
      else if (returned.has(rs.name)) filtered.push(facts.evidence(rs.name, 'ping-client', undefined, `${rs.rip} -> ${cip}: no reply, yet its answer to the test connection reached the client through the director`));
      else failed.push(facts.evidence(rs.name, 'ping-client', undefined, `${rs.rip} -> ${cip}: no reply`));
    }
    const filteredNote = filtered.length > 0 ? `; ${filtered.map((e) => e.host).join(', ')} cannot ping it but answered the test connection through the director (ICMP echo dropped on the way)` : '';
    if (failed.length > 0) {
      return { verdict: 'fail', summary: `${failed.map((e) => e.host).join(', ')} cannot ping the client ${cip} from the RIP${filteredNote}`, evidence: [...failed, ...redirected, ...filtered], fixes: [], certainty: 0.5 };
    }
    if (redirected.length > 0) {
      return { verdict: 'warn', summary: `the ping works but was redirected: the realserver is told to bypass the director`, evidence: redirected, fixes: [] };
    }
    if (filtered.length > 0) {
      const names = filtered.map((e) => e.host).join(', ');
      return pass(`${ok > 0 ? `${ok} probed realserver(s) ping ${cip} from their RIP; ` : ''}${names} cannot, but answered the test connection through the director: the return path works, ICMP echo is dropped on the way`, filtered);
    }
    return pass(`all ${ok} probed realserver(s) ping ${cip} from their RIP`);
  },
};

/**
 * The realservers whose answer to a test connection the client's capture saw arrive rewritten
 * (hop 4 seen there) and the client went on with (an ACK, not a RST: its socket was waiting for
 * it). None when the client's ARP for the director went unanswered during the run.
 */
export function returnedToClient(topology: Topology, facts: Facts, cip: string): Set<string> {
  const tc = facts.testConnection;
  if (!tc) return new Set();
  if (unansweredArpForDirector(tc.captures, cip, directorOwnAddresses(facts, topology))) return new Set();
  const atClient = tc.captures.filter((c) => c.place === 'client').flatMap((c) => c.packets ?? []);
  const wentOn = (cport: number): boolean => atClient.some((p) => p.tcp !== null && p.src === cip && p.tcp.srcPort === cport && p.tcp.flags.ack && !p.tcp.flags.syn && !p.tcp.flags.rst);
  const client = topology.client.name;
  return new Set((facts.hopAnalysis?.connections ?? []).flatMap((c: ConnectionHops) => (c.realserver && wentOn(c.cport) && c.hops.some((h) => h.name === 'reply-rewritten' && h.observations.some((o) => o.host === client && o.status === 'seen')) ? [c.realserver.name] : [])));
}
