import type { Check } from '../ids.js';
import { describeHit, directorTable, firewallHits } from '../../src/facts/readers.js';
import { strictRpFilterRefusal } from '../strict-rp-filter.js';
import type { Evidence } from '../../src/model/check.js';
import { fault, hopSeenAt, pass, testedConnection, unknown, wireEvidence, removeRulesFix } from '../lib.js';

// Hop 2: the director rewrites CIP:CPORT -> VIP:VPORT into CIP:CPORT -> RIP:RPORT and sends it
// out of int. When hop 1 is seen and hop 2 is not, the director dropped it: say why.
export const requestForwarded: Check = {
  id: 'q3.request-forwarded',
  question: 'q3-director',
  title: 'Hop 2: the director forwards the request, rewritten to a RIP',
  needs: ['q3.request-reaches-director'],
  softNeeds: ['setup.ip-forward', 'setup.vip-local', 'setup.weights', 'setup.virtual-service', 'q3.fwmark', 'q1.director-reaches-realservers'],
  probes: [
    { role: 'director', probe: 'route-get-request' },
    { role: 'director', probe: 'iptables-save' },
    { role: 'director', probe: 'sysctl' },
  ],
  evaluate({ topology, facts, deps }) {
    const conn = testedConnection(facts);
    const d = topology.director.name;
    if (!conn) return unknown('no test connection was seen');
    const hop2 = hopSeenAt(conn, 2);
    const intSeen = conn.hops[1].observations.some((o) => o.host === d && o.status === 'seen');
    if (intSeen) return pass(`the director rewrote ${conn.cip}:${conn.cport} -> ${topology.service.vip}:${topology.service.vport} into -> ${conn.realserver?.rip}:${conn.realserver?.rport} on ${conn.hops[1].observations.find((o) => o.status === 'seen')?.iface}`, wireEvidence(conn, 'hop 2 seen'));
    if (hop2 === 'not-captured') return unknown("the director's internal interface could not be captured: hop 2 is unproven");
    const wire = wireEvidence(conn, 'hop 1 seen, hop 2 not seen: the director did not forward the request');
    const refused = conn.instead.find((i) => i.kind === 'icmp-from-director' || i.kind === 'rst-from-director');
    // The configuration checks already know the likely cause; the wire makes it certain. An
    // unmarked packet comes first: a firewall-mark service never sees it, so the VIP's own stack
    // answers RST exactly as without any service (real IPVS, fixtures/bundles-ipvs).
    for (const dep of ['q3.fwmark', 'setup.virtual-service', 'setup.weights', 'setup.vip-local', 'setup.ip-forward'] as const) {
      const r = deps[dep];
      if (r?.verdict === 'fail' && r.fault) {
        if (dep === 'setup.ip-forward' && directorTable(facts, topology)?.kind === 'ipvs') continue; // IPVS forwards requests without ip_forward
        return fault({ verdict: 'fail', fault: r.fault, hosts: [d], summary: `${r.summary}; on the wire the SYN arrived and was not forwarded`, evidence: [...r.evidence, ...wire, ...(refused ? [{ host: refused.host, command: 'tcpdump (test connection)', lines: [refused.line] }] : [])], fixes: r.fixes, certainty: 1 });
      }
    }
    // What the director answered itself says which part of the table is missing: IPVS with
    // every weight 0 answers ICMP port unreachable from the VIP; without the service, the VIP's
    // own stack answers RST (LAB-NOTES, real IPVS).
    if (refused) {
      const isRst = refused.kind === 'rst-from-director';
      return fault({ verdict: 'fail', fault: isRst ? 'director.no-virtual-service' : 'director.no-weight', hosts: [d], summary: isRst
        ? `the director answered the SYN to ${topology.service.vip}:${topology.service.vport} itself with RST: no virtual service takes it`
        : `the director answered the SYN to ${topology.service.vip}:${topology.service.vport} with ICMP port unreachable: the service has no realserver that takes connections`, evidence: [{ host: refused.host, command: 'tcpdump (test connection)', lines: [refused.line] }, ...wire], fixes: [], certainty: 0.9 });
    }
    const cip = conn.cip;
    const ext = facts.derived.ext;
    const rpRefusal = strictRpFilterRefusal(facts, d, cip);
    if (rpRefusal) {
      return fault({ verdict: 'fail', fault: 'director.rp-filter', hosts: [d], summary: `strict rp_filter on ${ext} drops the client's packets: the route back to ${cip} does not leave by ${ext}`, evidence: [...rpRefusal.evidence, ...wire], fixes: rpRefusal.fixes, certainty: 1 });
    }
    const rs = conn.realserver ?? topology.realservers[0];
    const flows = [
      { protocol: 'tcp' as const, src: cip, dst: topology.service.vip, dport: topology.service.vport, ...(ext ? { inIface: ext } : {}), hook: 'prerouting' as const },
      { protocol: 'tcp' as const, src: cip, dst: topology.service.vip, dport: topology.service.vport, ...(ext ? { inIface: ext } : {}), hook: 'input' as const },
      ...(rs ? [{ protocol: 'tcp' as const, src: cip, dst: rs.rip, dport: rs.rport, ...(ext ? { inIface: ext } : {}), hook: 'forward' as const }] : []),
    ];
    const hits = flows.flatMap((f) => firewallHits(facts, d, f) ?? []);
    const reach = deps['q1.director-reaches-realservers'];
    // The ICMP host unreachable is about this connection; the director's unanswered ARP for a
    // RIP is only beside it, so a firewall rule that drops the request explains it first.
    const undeliverables = conn.instead.filter((i) => i.kind === 'director-cannot-reach-rip');
    const icmp = undeliverables.find((i) => i.packet.icmp !== null);
    const arp = undeliverables.find((i) => i.packet.arp !== null);
    const undeliverable = icmp ?? (hits.length === 0 ? arp : undefined);
    if (undeliverable || reach?.fault === 'realserver.unreachable') {
      const asked = undeliverable?.packet.arp?.targetIp ?? null;
      const named = reach?.faultHosts?.length ? reach.faultHosts : topology.realservers.filter((r) => r.rip === asked).map((r) => r.name);
      const hosts = named.length > 0 ? named : topology.realservers.map((r) => r.name);
      const rip = topology.realservers.filter((r) => hosts.includes(r.name)).map((r) => r.rip).join(', ');
      const how = icmp ? ' (it answered the client with ICMP host unreachable)' : undeliverable ? ` (it asked ARP for ${asked} again and got no reply)` : '';
      return fault({ verdict: 'fail', fault: 'realserver.unreachable', hosts, summary: `the director balanced the SYN to ${rip || hosts.join(', ')} but could not deliver it${how}`, evidence: [
        ...(icmp ? [{ host: icmp.host, command: 'tcpdump (test connection)', lines: [icmp.line] }] : []),
        ...(arp && undeliverable ? [{ host: arp.host, command: 'tcpdump (test connection)', lines: [arp.line], note: 'the director resolving the RIP' }] : []),
        ...(reach?.fault === 'realserver.unreachable' ? reach.evidence : []),
        ...wire,
      ], fixes: reach?.fixes ?? [], certainty: undeliverable ? 1 : 0.9 });
    }
    if (hits.length > 0) {
      const ev: Evidence[] = [{ host: d, command: 'iptables-save -c / nft list ruleset', lines: hits.map(describeHit), note: 'rules that drop the request' }, ...wire];
      return fault({ verdict: 'fail', fault: 'director.firewall-drop', hosts: [d], summary: `a firewall rule on ${d} drops the client's request: ${hits[0].text}`, evidence: ev, fixes: [
        removeRulesFix(d, hits, 'the request must be allowed through the director'),
      ], certainty: hits.some((h) => h.certain) ? 1 : 0.8 });
    }
    return { verdict: 'fail', summary: `the director received the SYN on ${ext ?? 'ext'} but did not forward it, and no configuration read explains why`, evidence: wire, fixes: [], certainty: 0.5 };
  },
};
