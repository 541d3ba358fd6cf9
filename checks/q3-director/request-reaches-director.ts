import type { CheckDefinition } from '../../src/engine/check-definition.js';
import { routeGet } from '../../src/engine/readers.js';
import { fault, pass, unknown, wireEvidence } from '../lib.js';

// Hop 1: CIP:CPORT -> VIP:VPORT must arrive on the director's ext.
export const requestReachesDirector: CheckDefinition = {
  id: 'q3.request-reaches-director',
  question: 'q3-director',
  title: "Hop 1: the client's SYN reaches the director",
  needs: [],
  probes: [{ role: 'client', probe: 'route-get-vip' }],
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
    const fix = { host: c, commands: [`ip route get ${vip}`, `# route ${vip} via the director's external address`], why: "the client's packets for the VIP must reach the director" };
    if (route?.error) return fault('fail', 'client.no-route-to-vip', [c], `the client has no route to ${vip} (${route.error})`, routeEv, [fix], 1);
    if (!extCaptured) return unknown("the director's external interface could not be captured: hop 1 is unproven");
    const attempts = tc.attempts.map((a) => `${a.command} -> exit ${a.exitCode} ${a.output}`);
    return fault('fail', 'client.no-route-to-vip', [c], `the client's connection to ${vip}:${vport} never reached the director's external interface`, [
      ...routeEv,
      { host: c, command: 'test connection', lines: attempts },
      { host: topology.director.name, command: tc.captures.find((x) => x.place === 'director-ext' || x.place === 'director-one')?.command ?? 'tcpdump', lines: ['(no SYN from the client to the VIP captured)'] },
    ], [fix], 0.9);
  },
};
