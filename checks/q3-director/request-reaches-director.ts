import type { Check } from '../ids.js';
import { connectedInterface, directorOwnAddresses, routeGet } from '../../src/facts/readers.js';
import { unansweredArpForDirector, unansweredArpLines } from '../../src/facts/unanswered-arp.js';
import { strictRpFilterRefusal } from '../strict-rp-filter.js';
import { fault, notOnClientSide, pass, unknown, wireEvidence } from '../lib.js';

// Hop 1: CIP:CPORT -> VIP:VPORT must arrive on the director's ext.
export const requestReachesDirector: Check = {
  id: 'q3.request-reaches-director',
  question: 'q3-director',
  title: "Hop 1: the client's SYN reaches the director",
  needs: [],
  probes: [
    { role: 'client', probe: 'route-get-vip' },
    { role: 'director', probe: 'route-get-request' },
    { role: 'director', probe: 'sysctl' },
    { role: 'director', probe: 'ip-addr' },
  ],
  evaluate({ topology, facts }) {
    const tc = facts.testConnection;
    const c = topology.client.name;
    const { vip, vport } = topology.service;
    if (!tc || tc.error) return unknown(tc?.error ?? 'no test connection was made');
    const route = routeGet(facts, c, 'route-get-vip');
    const routeEv = route ? [facts.evidence(c, 'route-get-vip')] : [];
    const conns = facts.hopAnalysis?.connections ?? [];
    const extCaptured = tc.captures.some((cap) => (cap.place === 'director-ext' || cap.place === 'director-one') && cap.packets !== null);
    const seen = conns.filter((cn) => cn.lastSeen >= 1 && cn.hops[0].status === 'seen');
    if (seen.length > 0) return pass(`the client's SYN to ${vip}:${vport} arrives on the director (${seen[0].hops[0].observations.find((o) => o.status === 'seen')?.iface})`, wireEvidence(seen[0], 'hop 1 seen'));
    const fix = { host: c, commands: [`ip route get ${vip}`], why: `the client's packets for the VIP must reach the director: route ${vip} via the director's external address` };
    if (route?.error) return notOnClientSide(topology, `it has no route to ${vip} (${route.error})`) ?? fault({ verdict: 'fail', fault: 'client.no-route-to-vip', hosts: [c], summary: `the client has no route to ${vip} (${route.error})`, evidence: routeEv, fixes: [fix], certainty: 1 });
    if (!extCaptured) return unknown("the director's external interface could not be captured: hop 1 is unproven");
    // Blame the client's routing only when its SYN was seen leaving it (or it said so itself);
    // a connection that was never made (no tool, no answer from the client) proves nothing.
    const clientCapture = tc.captures.find((x) => x.place === 'client' && x.packets !== null);
    const leftClient = clientCapture?.packets?.some((p) => p.tcp !== null && p.tcp.flags.syn && !p.tcp.flags.ack && p.dst === vip && p.tcp.dstPort === vport) ?? false;
    // A client on ext's own subnet resolves the director by ARP, and the kernel checks an ARP
    // request's sender against rp_filter too: strict filtering that refuses CIP on ext leaves the
    // client without the director's MAC once its neighbour entry expires, so no SYN leaves it.
    const d = topology.director.name;
    const cip = facts.derived.cip;
    // The wire's own word on it: the client's ARP requests for the director, taken in and not answered.
    const own = directorOwnAddresses(facts, topology);
    const arp = !leftClient && cip ? unansweredArpForDirector(tc.captures, cip, own) : null;
    const arpEvidence = arp ? [{ host: arp.host, command: arp.command, lines: unansweredArpLines(arp), note: arp.requests.length === 1 ? `the client asked for ${arp.target} once; the director took the request in on ${arp.iface} and did not answer` : `the client asked for ${arp.target} ${arp.requests.length} times; the director took the requests in on ${arp.iface} and answered none` }] : [];
    const rpRefusal = !leftClient && cip ? strictRpFilterRefusal(facts, d, cip) : undefined;
    if (rpRefusal && cip && connectedInterface(facts, d, cip)?.ifname === rpRefusal.ext) {
      const summary = arp
        ? `strict rp_filter on ${rpRefusal.ext} drops the client's packets, its ARP requests too: the director took the client's ARP requests for ${arp.target} in on ${arp.iface} and never answered (the route back to ${cip} does not leave by ${rpRefusal.ext}), so no SYN left the client`
        : `strict rp_filter on ${rpRefusal.ext} drops the client's packets, its ARP requests too: the route back to ${cip} does not leave by ${rpRefusal.ext}, so the client cannot resolve the director and no SYN left it`;
      return fault({ verdict: 'fail', fault: 'director.rp-filter', hosts: [d], summary, evidence: [
        ...rpRefusal.evidence,
        ...arpEvidence,
        { host: c, command: 'test connection', lines: tc.attempts.map((a) => `${a.command} -> exit ${a.exitCode} ${a.output}`) },
      ], fixes: rpRefusal.fixes, certainty: arp ? 1 : 0.9 });
    }
    // Not the client's routing: it has the director as its next hop and the director would not
    // give its MAC. No fault of the catalog names what refused it: say what the wire shows.
    if (arp) {
      return unknown(`no SYN left the client: it asked ARP for ${arp.target} (the director's) and the director took the request${arp.requests.length === 1 ? '' : 's'} in on ${arp.iface} without answering, and its rp_filter does not refuse ${arp.sender} there: look at ${arp.iface}'s arp_ignore and arp_filter and at ARP firewall rules (arptables, nft arp)`, [
        ...arpEvidence,
        facts.evidence(d, 'sysctl', (l) => /\.arp_(ignore|filter)/.test(l) && (/\.all\./.test(l) || l.includes(`.${arp.iface}.`)), `arp_ignore and arp_filter on ${arp.iface}`),
        ...routeEv,
      ]);
    }
    const saidUnreachable = tc.attempts.some((a) => /unreachable|No route/i.test(a.output));
    if (!leftClient && !saidUnreachable) {
      return unknown(`no SYN to ${vip}:${vport} was seen at all, and the client's capture does not show it leaving: ${tc.attempts.map((a) => `${a.command} -> ${a.output || `exit ${a.exitCode}`}`)[0] ?? 'no connection was made'}`, routeEv);
    }
    const elsewhere = notOnClientSide(topology, `its SYN to ${vip}:${vport} never reached the director's external interface`);
    if (elsewhere) return elsewhere;
    const attempts = tc.attempts.map((a) => `${a.command} -> exit ${a.exitCode} ${a.output}`);
    return fault({ verdict: 'fail', fault: 'client.no-route-to-vip', hosts: [c], summary: `the client's connection to ${vip}:${vport} never reached the director's external interface`, evidence: [
      ...routeEv,
      { host: c, command: 'test connection', lines: attempts },
      { host: topology.director.name, command: tc.captures.find((x) => x.place === 'director-ext' || x.place === 'director-one')?.command ?? 'tcpdump', lines: ['(no SYN from the client to the VIP captured)'] },
    ], fixes: [fix], certainty: 0.9 });
  },
};
