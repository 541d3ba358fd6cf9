import type { Check } from '../ids.js';
import { describeHit, directorTable, firewallHits, routeGet } from '../../src/facts/readers.js';
import { fault, pass, skip, testedConnection, unknown, wireEvidence } from '../lib.js';

// Hop 4: the director rewrites RIP:RPORT -> CIP:CPORT into VIP:VPORT -> CIP:CPORT out of ext.
export const replyRewritten: Check = {
  id: 'q3.reply-rewritten',
  question: 'q3-director',
  title: 'Hop 4: the director sends the reply to the client as VIP',
  needs: ['q3.reply-returns'],
  softNeeds: ['setup.ip-forward', 'setup.vs-conntrack'],
  probes: [
    { role: 'director', probe: 'route-get-reply' },
    { role: 'director', probe: 'conntrack' },
  ],
  evaluate({ topology, facts, deps }) {
    const conn = testedConnection(facts);
    const d = topology.director.name;
    const { vip, vport } = topology.service;
    if (!conn) return unknown('no test connection was seen');
    const hop4 = conn.hops[3];
    if (hop4.status === 'seen' && conn.hops[3].observations.some((o) => o.host === d && o.status === 'seen')) {
      return pass(`the director rewrote the reply to ${vip}:${vport} -> ${conn.cip}:${conn.cport}: all four hops seen`, wireEvidence(conn, 'hop 4 seen'));
    }
    const sentOut = hop4.observations.find((o) => o.host === d && o.status === 'seen');
    if (sentOut) {
      const elsewhere = hop4.observations.filter((o) => o.host !== d && o.status === 'missing').map((o) => `${o.host} ${o.iface}`);
      return unknown(`the director sent the reply out rewritten (${sentOut.packet}), but the capture on ${elsewhere.join(', ')} does not show it arriving: hop 4 is unproven`, wireEvidence(conn, 'hop 4 seen leaving the director only'));
    }
    if (!hop4.observations.some((o) => o.host === d && o.status === 'missing')) return unknown("the director's external interface could not be captured: hop 4 is unproven");
    if (!conn.hops[2].observations.some((o) => o.host === d && o.status === 'seen')) return skip('no SYN+ACK came back into the director: there was nothing to rewrite (Q.4 says what the realserver did)');
    const wire = wireEvidence(conn, 'hop 3 seen at the director, hop 4 not sent');
    const ipf = deps['setup.ip-forward'];
    if (ipf?.verdict === 'fail' && ipf.fault) return fault({ verdict: 'fail', fault: ipf.fault, hosts: [d], summary: `${ipf.summary}; on the wire the reply came in on int and never left ext`, evidence: [...ipf.evidence, ...wire], fixes: ipf.fixes, certainty: 1 });
    const rs = conn.realserver!;
    const route = routeGet(facts, d, 'route-get-reply', rs.name);
    if (route?.error) {
      return fault({ verdict: 'fail', fault: 'director.rp-filter', hosts: [d], summary: `the director refuses to route ${rs.rip} -> ${conn.cip} arriving on ${facts.derived.int} (${route.error}): reverse-path filtering`, evidence: [facts.evidence(d, 'route-get-reply', undefined, undefined, rs.name), ...wire], fixes: [
        { host: d, commands: [`sysctl -w net.ipv4.conf.all.rp_filter=2`, `sysctl -w net.ipv4.conf.${facts.derived.int}.rp_filter=2`], why: 'loose reverse-path filtering for the realserver network' },
      ], certainty: 0.95 });
    }
    // IPVS without conntrack under a stateful FORWARD: the reply is not ESTABLISHED to netfilter.
    const vsct = deps['setup.vs-conntrack'];
    if ((vsct?.verdict === 'warn' || vsct?.verdict === 'fail') && vsct.fault) {
      return fault({ verdict: 'fail', fault: vsct.fault, hosts: [d], summary: `${vsct.summary}; on the wire the reply came in on ${facts.derived.int ?? 'int'} and never left ${facts.derived.ext ?? 'ext'}`, evidence: [...vsct.evidence, ...wire], fixes: vsct.fixes, certainty: 1 });
    }
    const hits = firewallHits(facts, d, { protocol: 'tcp', src: rs.rip, dst: conn.cip, sport: rs.rport, ...(facts.derived.int ? { inIface: facts.derived.int } : {}), hook: 'forward' }) ?? [];
    if (hits.length > 0) {
      return fault({ verdict: 'fail', fault: 'director.firewall-drop', hosts: [d], summary: `a firewall rule on ${d} drops the realserver's replies: ${hits[0].text}`, evidence: [{ host: d, command: 'iptables-save -c / nft list ruleset', lines: hits.map(describeHit) }, ...wire], fixes: [
        { host: d, commands: hits.filter((h) => h.kind === 'rule').map((h) => `# remove: ${h.text}`), why: 'replies must be allowed back through the director' },
      ], certainty: hits.some((h) => h.certain) ? 1 : 0.8 });
    }
    const kind = directorTable(facts, topology)?.kind;
    return { verdict: 'fail', summary: `the reply came back into the director but was not sent to the client (${kind ?? 'unknown'} director), and no configuration read explains why`, evidence: wire, fixes: [], certainty: 0.5 };
  },
};
