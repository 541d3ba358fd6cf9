import type { Check } from '../ids.js';
import { fault, hopSeenAt, pass, skip, testedConnection, unknown, wireEvidence } from '../lib.js';

// Hop 3: RIP:RPORT -> CIP:CPORT must come back into the director's int. This is also the
// director-only view of Q.4: what the director's wire shows of the realserver's answer.
export const replyReturns: Check = {
  id: 'q3.reply-returns',
  question: 'q3-director',
  title: "Hop 3: the realserver's reply comes back through the director",
  needs: ['q3.request-forwarded'],
  softNeeds: ['q2.reply-route', 'q2.director-redirects', 'q2.redirect-cache', 'q1.director-reaches-realservers'],
  probes: [],
  evaluate({ topology, facts, deps }) {
    const conn = testedConnection(facts);
    const d = topology.director.name;
    if (!conn) return unknown('no test connection was seen');
    const rs = conn.realserver;
    if (!rs) return unknown('the realserver chosen by the director is not known');
    const atDirector = conn.hops[2].observations.filter((o) => o.host === d);
    if (atDirector.some((o) => o.status === 'seen')) return pass(`${rs.name}'s SYN+ACK ${rs.rip}:${rs.rport} -> ${conn.cip}:${conn.cport} came back into the director`, wireEvidence(conn, 'hop 3 seen'));
    if (!atDirector.some((o) => o.status === 'missing')) return unknown("the director's internal interface could not be captured: hop 3 is unproven");
    const rst = conn.instead.find((i) => i.kind === 'rst-from-realserver');
    const icmp = conn.instead.find((i) => i.kind === 'icmp-from-realserver');
    if (rst || icmp) return skip(`${rs.name} answered with ${rst ? 'a RST' : 'an ICMP error'} instead of SYN+ACK: Q.4 names it`);
    const wire = wireEvidence(conn, 'hop 2 seen, hop 3 not back at the director');
    const rsCaptured = hopSeenAt(conn, 3, rs.name);
    if (rsCaptured === 'seen') {
      // The realserver answered, but not through the director. Q.2 knows which way it went:
      // a director still sending redirects, a cached redirect, or the route table.
      const route = (['q2.director-redirects', 'q2.redirect-cache', 'q2.reply-route'] as const).map((id) => deps[id]).find((r) => r?.verdict === 'fail' && r.fault);
      const id = route?.fault ?? 'realserver.reply-route';
      const bypass = conn.instead.find((i) => i.kind === 'reply-bypassed-director');
      return fault({ verdict: 'fail', fault: id, hosts: [rs.name], summary: `${rs.name} sent its SYN+ACK but it never came back through the director${bypass ? ': the client received it straight from the RIP' : ''}`, evidence: [
        ...(route?.verdict === 'fail' ? route.evidence : []),
        ...wire,
        ...(bypass ? [{ host: bypass.host, command: 'tcpdump (test connection)', lines: [bypass.line], note: 'reply by another route' }] : []),
      ], fixes: route?.verdict === 'fail' ? route.fixes : [{ host: rs.name, commands: [`ip route replace default via ${facts.derived.dip ?? 'DIP'}`], why: 'route replies through the director' }], certainty: 1 });
    }
    if (rsCaptured === 'missing') return skip(`${rs.name} did not send a SYN+ACK: Q.4 says why`);
    const reach = deps['q1.director-reaches-realservers'];
    if (reach?.fault === 'realserver.unreachable' && reach.faultHosts?.includes(rs.name) && !facts.probed(rs.name)) {
      return fault({ verdict: 'fail', fault: 'realserver.unreachable', hosts: [rs.name], summary: `${rs.name} (${rs.rip}) answers neither ping from the director nor ssh, and the request sent to it got nothing back`, evidence: [...reach.evidence, ...wire], fixes: reach.fixes, certainty: 1 });
    }
    // Director-only: no view of the realserver. The director proves the stall; its own
    // configuration may prove the cause (one-network NAT sending redirects, 5.12).
    const redirects = deps['q2.director-redirects'];
    if (redirects?.verdict === 'fail' && redirects.fault) {
      return fault({ verdict: 'fail', fault: redirects.fault, hosts: [topology.director.name], summary: `${redirects.summary}; the director forwarded the SYN to ${rs.name} and no reply came back through it`, evidence: [...redirects.evidence, ...wire], fixes: redirects.fixes, certainty: 1 });
    }
    return fault({ verdict: 'fail', fault: 'director.return-path-stalled', hosts: [rs.name], summary: `the director forwarded the SYN to ${rs.name} (${rs.rip}:${rs.rport}) and nothing came back: the realserver's replies do not return through the director (its route or its firewall; ${rs.name} itself could not be examined)`, evidence: wire, fixes: [
      { host: rs.name, commands: [`ip route get ${conn.cip} from ${rs.rip}`], why: `see realserver.reply-route (5.4), the most common cause: expect 'via ${facts.derived.dip ?? 'DIP'}'; if not, ip route replace default via ${facts.derived.dip ?? 'DIP'}` },
    ], certainty: 0.9 });
  },
};
