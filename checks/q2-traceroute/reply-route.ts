import type { Check } from '../ids.js';
import { addresses, routeGet, tracerouteHops } from '../../src/facts/readers.js';
import type { Evidence, Fix } from '../../src/model/check.js';
import type { FaultId } from '../../src/model/faults.js';
import { sameAddress } from '../../src/util/ip.js';
import { fault, pass, skip, unknown } from '../lib.js';
import type { Facts } from '../../src/facts/facts.js';
import type { Finding } from '../../src/model/check.js';
import type { RealserverSpec, Topology } from '../../src/model/topology.js';
import { readConnectionTable } from '../../src/facts/connection-table.js';

// Julian's Q.2 and 5.4 (the most common failure): the realserver's reply to the client must
// be routed through the director. `ip route get CIP from RIP` answers with the policy rules
// applied, so a 5.4-style `ip rule add from RIP table lvs` counts as correct.
export const replyRoute: Check = {
  id: 'q2.reply-route',
  question: 'q2-traceroute',
  title: "Q.2 each realserver routes replies to the client via the director's DIP",
  needs: [],
  probes: [
    { role: 'realserver', probe: 'route-get-client' },
    { role: 'realserver', probe: 'traceroute-client' },
    { role: 'realserver', probe: 'ip-rule' },
    { role: 'realserver', probe: 'ip-addr' },
  ],
  evaluate({ topology, facts }) {
    const cip = facts.derived.cip;
    const dip = facts.derived.dip;
    if (!cip) return unknown("the client's address (CIP) is not known");
    const probed = topology.realservers.filter((r) => facts.probed(r.name));
    if (probed.length === 0) return skip('no realserver can be probed (director-only mode): the reply route is judged from the director\'s wire in Q.3/Q.4');
    if (!dip && facts.snapshotOnly) return judgeWithoutDip(topology, facts, probed, cip);
    if (!dip) return unknown("the director's DIP is not known: give director.dip in the inventory");
    const bad: { id: FaultId; host: string; evidence: Evidence[]; fix: Fix; text: string }[] = [];
    const good: string[] = [];
    for (const rs of probed) {
      const route = routeGet(facts, rs.name, 'route-get-client');
      const hops = tracerouteHops(facts, rs.name);
      const ev = [facts.evidence(rs.name, 'route-get-client'), ...(hops ? [facts.evidence(rs.name, 'traceroute-client', (l) => /^\s*\d/.test(l))] : [])];
      // A cached redirect is its own fault (q2.redirect-cache), not a wrong route table; a RIP
      // the host does not hold cannot source a route at all (q4.rip-present names that).
      if (!route || route.redirected) continue;
      const held = addresses(facts, rs.name);
      if (held && !held.some((a) => sameAddress(a.address, rs.rip))) continue;
      if (route.error) {
        bad.push({ id: 'realserver.reply-route', host: rs.name, evidence: ev, text: `${rs.name} has no route back to ${cip} (${route.error})`, fix: { host: rs.name, commands: [`ip route replace default via ${dip}`], why: 'route replies through the director' } });
      } else if (sameAddress(route.via, dip)) {
        good.push(rs.name);
      } else if (route.via === null) {
        bad.push({
          id: 'realserver.onlink-client',
          host: rs.name,
          evidence: ev,
          text: `${rs.name} reaches ${cip} on-link through ${route.dev ?? '?'}: its replies go straight to the client, not through the director`,
          fix: {
            host: rs.name,
            commands: [`ip route add ${cip}/32 via ${dip} dev ${route.dev ?? 'DEV'}`],
            why: 'replies must go back through the director to be rewritten to VIP (or delete the on-link route to the client network and keep host routes for needed peers, 5.12.1-5.12.3)',
          },
        });
      } else {
        bad.push({
          id: 'realserver.reply-route',
          host: rs.name,
          evidence: ev,
          text: `${rs.name} routes replies to ${cip} via ${route.via}, not via the director's DIP ${dip}`,
          fix: { host: rs.name, commands: [`ip route replace default via ${dip}`], why: `replies must go back through the director to be rewritten to VIP (or, to keep the default route, 5.4: ip rule add from ${rs.rip} table lvs, then ip route add default via ${dip} table lvs)` },
        });
      }
    }
    if (bad.length === 0) {
      if (good.length === 0) return unknown('no realserver answered `ip route get`');
      return pass(`${good.join(', ')} route replies to ${cip} via the DIP ${dip}`);
    }
    const first = bad[0];
    const same = bad.filter((b) => b.id === first.id);
    return fault({ verdict: 'fail', fault: first.id, hosts: same.map((b) => b.host), summary: same.map((b) => b.text).join('; '), evidence: same.flatMap((b) => b.evidence), fixes: same.map((b) => b.fix), certainty: 0.85 });
  },
};

/**
 * `lvs-doctor explain` without the director's addresses: a realserver whose route to the client
 * has a gateway cannot be judged by the DIP. When the director's pasted table shows every one
 * of its connections half-open, that gateway is most likely not the director: a fault at low
 * certainty. An on-link route to the client needs no DIP to be wrong.
 */
function judgeWithoutDip(topology: Topology, facts: Facts, probed: RealserverSpec[], cip: string): Finding {
  const table = readConnectionTable(topology, facts);
  for (const rs of probed) {
    const route = routeGet(facts, rs.name, 'route-get-client');
    if (!route || route.redirected || route.error) continue;
    const ev = [facts.evidence(rs.name, 'route-get-client')];
    if (route.via === null) {
      return fault({ verdict: 'fail', fault: 'realserver.onlink-client', hosts: [rs.name], summary: `${rs.name} reaches ${cip} on-link through ${route.dev ?? '?'}: its replies go straight to the client, not through the director`, evidence: ev, fixes: [{ host: rs.name, commands: [`ip route add ${cip}/32 via DIP dev ${route.dev ?? 'DEV'}`], why: 'replies must go back through the director to be rewritten to VIP (DIP: the director\'s address on the realserver network, not in the paste)' }], certainty: 0.6 });
    }
    const mine = table?.entries.filter((e) => e.realserver === rs) ?? [];
    if (mine.length > 0 && mine.every((e) => e.halfOpen)) {
      return fault({ verdict: 'fail', fault: 'realserver.reply-route', hosts: [rs.name], summary: `${rs.name} routes replies to ${cip} via ${route.via}, and the director's table shows all its ${mine.length} connection(s) half-open: ${route.via} is most likely not the director (its DIP is not in the paste)`, evidence: [...ev, facts.evidence(topology.director.name, table!.probe, (l) => mine.some((e) => table!.lineOf(e)(l)))], fixes: [{ host: rs.name, commands: ['ip route replace default via DIP'], why: 'replies must go back through the director to be rewritten to VIP (DIP: the director\'s address on the realserver network, not in the paste; or the policy-routing variant of 5.4: ip rule add from RIP table lvs)' }], certainty: 0.5 });
    }
  }
  return unknown("the director's DIP is not in the paste (paste `ip addr` from the director): the realservers' reply routes cannot be judged");
}
