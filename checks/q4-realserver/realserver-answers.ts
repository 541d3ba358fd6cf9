import type { Check } from '../ids.js';
import { describeHit, effectiveRpFilter, firewallHits, interfaceOf, listeners, routeGet, sysctls } from '../../src/facts/readers.js';
import type { Evidence } from '../../src/model/check.js';
import { fault, pass, removeRulesFix, skip, testedConnection, unknown, wireEvidence } from '../lib.js';
import { ripMissingFix } from '../rip-fix.js';

// Julian's Q.4: the request reached the realserver; what did it answer? SYN+ACK (good), RST
// (nothing listens), ICMP unreachable (its firewall), nothing (rp_filter or a silent DROP),
// or the request leaving again unchanged (the RIP is not its own).
export const realserverAnswers: Check = {
  id: 'q4.realserver-answers',
  question: 'q4-realserver',
  title: 'Q.4 the realserver answers the request with SYN+ACK',
  needs: ['q3.request-forwarded'],
  probes: [
    { role: 'realserver', probe: 'ss-listen' },
    { role: 'realserver', probe: 'sysctl' },
    { role: 'realserver', probe: 'iptables-save' },
    { role: 'realserver', probe: 'nft' },
    { role: 'realserver', probe: 'ip-addr' },
  ],
  evaluate({ topology, facts }) {
    const conn = testedConnection(facts);
    if (!conn) return unknown('no test connection was seen');
    const rs = conn.realserver;
    if (!rs) return unknown('the realserver chosen by the director is not known');
    const wire = wireEvidence(conn, `what ${rs.name} answered`);
    const rst = conn.instead.find((i) => i.kind === 'rst-from-realserver');
    const icmp = conn.instead.find((i) => i.kind === 'icmp-from-realserver');
    const target = `${rs.rip}:${rs.rport}`;
    if (rst) {
      const list = listeners(facts, rs.name);
      const ev: Evidence[] = [{ host: rst.host, command: 'tcpdump (test connection)', lines: [rst.line], note: 'RST: nothing accepts the connection' }];
      if (list) ev.push(facts.evidence(rs.name, 'ss-listen', undefined, `no listener on ${target}; listening: ${list.map((l) => `${l.address}:${l.port}`).join(' ') || 'nothing'}`));
      const other = list?.find((l) => l.port !== rs.rport && (l.port === topology.service.vport || l.port === 8080 || l.port === 80));
      return fault({ verdict: 'fail', fault: 'realserver.no-listener', hosts: [rs.name], summary: `${rs.name} answers the SYN to ${target} with RST: nothing listens on port ${rs.rport}${other ? ` (the daemon listens on ${other.port}: port remapping mismatch)` : ''}`, evidence: ev, fixes: [
        { host: rs.name, commands: [`ss -ltn 'sport = :${rs.rport}'`], why: `something must accept connections on ${target}: start the service there${other ? `, or fix the director's table (the realserver listens on ${other.port}, the director sends to ${rs.rport})` : ''}` },
      ], certainty: 1 });
    }
    if (icmp) {
      const hits = facts.probed(rs.name) ? (firewallHits(facts, rs.name, { protocol: 'tcp', src: conn.cip, dst: rs.rip, dport: rs.rport, hook: 'input' }) ?? []) : [];
      return fault({ verdict: 'fail', fault: 'realserver.firewall-reject', hosts: [rs.name], summary: `${rs.name} answers the SYN to ${target} with ${icmp.packet.icmp?.kind ?? 'ICMP unreachable'}: its firewall rejects it`, evidence: [
        { host: icmp.host, command: 'tcpdump (test connection)', lines: [icmp.line] },
        ...(hits.length ? [{ host: rs.name, command: 'iptables-save -c / nft list ruleset', lines: hits.map(describeHit) }] : []),
      ], fixes: [hits.length ? removeRulesFix(rs.name, hits, 'accept the forwarded requests') : { host: rs.name, commands: [`iptables-save -c`, `nft list ruleset`], why: `accept the forwarded requests: find what rejects tcp from ${conn.cip} to ${target} (no rule read explains it)` }], certainty: 1 });
    }
    const atRs = conn.hops[1].observations.find((o) => o.host === rs.name);
    if (!atRs || atRs.status === 'not-captured') return skip(`${rs.name} could not be captured: the director's view (Q.3) is all there is`);
    if (atRs.status === 'missing') {
      // Sent by the director, never seen by the realserver: lost between them (link, ARP, VLAN).
      return fault({ verdict: 'fail', fault: 'realserver.unreachable', hosts: [rs.name], summary: `the director sent the request to ${rs.rip} but ${rs.name} never received it`, evidence: wire, fixes: [
        { host: rs.name, commands: [`ip -o link`, `ip -o addr show to ${rs.rip}`], why: `the realserver must receive what the director sends to its RIP: check the link/VLAN between the director's ${facts.derived.int ?? 'int'} and ${rs.name}` },
      ], certainty: 0.95 });
    }
    const answered = conn.hops[2].observations.find((o) => o.host === rs.name);
    if (answered?.status === 'seen') return pass(`${rs.name} answered ${conn.cip}:${conn.cport} with SYN+ACK from ${target}`, wire);
    const forwardedOn = conn.instead.find((i) => i.kind === 'request-forwarded-on');
    const owns = interfaceOf(facts, rs.name, rs.rip);
    if (forwardedOn || (facts.probed(rs.name) && owns === undefined)) {
      return fault({ verdict: 'fail', fault: 'realserver.rip-missing', hosts: [rs.name], summary: `${rs.name} does not own ${rs.rip}: the request is not accepted locally`, evidence: [facts.evidence(rs.name, 'ip-addr', (l) => / inet /.test(l)), ...wire], fixes: [ripMissingFix(topology, facts, rs)], certainty: 1 });
    }
    // Silent: which of rp_filter or a firewall drops it?
    const dev = owns?.ifname ?? null;
    const rp = dev ? effectiveRpFilter(sysctls(facts, rs.name), dev) : undefined;
    const route = routeGet(facts, rs.name, 'route-get-client');
    const evidence: Evidence[] = [...wire];
    if (rp === 1 && route && (route.error || (dev && route.dev !== dev))) {
      evidence.unshift(facts.evidence(rs.name, 'sysctl', (l) => /rp_filter/.test(l) && (/\.all\./.test(l) || (dev !== null && l.includes(`.${dev}.`))), `effective rp_filter on ${dev} = 1`), facts.evidence(rs.name, 'route-get-client'));
      return fault({ verdict: 'fail', fault: 'realserver.silent-drop', hosts: [rs.name], summary: `${rs.name} drops the request silently: strict rp_filter on ${dev} and its route back to ${conn.cip} ${route.error ? `fails (${route.error})` : `leaves by ${route.dev}`}`, evidence, fixes: [
        { host: rs.name, commands: ['sysctl -w net.ipv4.conf.all.rp_filter=2', `sysctl -w net.ipv4.conf.${dev}.rp_filter=2`], why: 'loose reverse-path filtering (or route the client back out of the same interface)' },
      ], certainty: 1 });
    }
    const hits = firewallHits(facts, rs.name, { protocol: 'tcp', src: conn.cip, dst: rs.rip, dport: rs.rport, ...(dev ? { inIface: dev } : {}), hook: 'input' }) ?? [];
    if (hits.length > 0) {
      evidence.unshift({ host: rs.name, command: 'iptables-save -c / nft list ruleset', lines: hits.map(describeHit), note: 'rules that drop the request' });
      return fault({ verdict: 'fail', fault: 'realserver.silent-drop', hosts: [rs.name], summary: `${rs.name} drops the request silently: ${hits[0].text}`, evidence, fixes: [
        removeRulesFix(rs.name, hits, 'accept the forwarded requests'),
      ], certainty: 1 });
    }
    return fault({ verdict: 'fail', fault: 'realserver.silent-drop', hosts: [rs.name], summary: `the request reached ${rs.name} and nothing was sent back; neither rp_filter nor a rule read explains it`, evidence, fixes: [], certainty: 0.6 });
  },
};
