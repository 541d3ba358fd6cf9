import type { Check } from '../ids.js';
import { directorTable, ipvsTimeouts } from '../../src/facts/readers.js';
import type { Evidence, Fix } from '../../src/model/check.js';
import { idleBeforeLeak, timeoutVerdict } from '../leak-timeouts.js';
import { fault, pass, unknown } from '../lib.js';

// 5.24: when the director has forgotten a connection while the realserver still answers
// (its entry timed out; a retransmitted SYN+ACK, a late RST), the packet leaves ext with the
// RIP as source. It is judged on its own: the connection it belongs to may look broken earlier.
export const untranslatedLeak: Check = {
  id: 'q3.untranslated-leak',
  question: 'q3-director',
  title: 'No packet leaves the director towards the client with a RIP as source',
  needs: [],
  // The timeouts say whether the entry simply expired; bundles recorded before they were read lack them.
  probes: [{ role: 'director', probe: 'ipvsadm-timeout', supplementary: true }],
  evaluate({ topology, facts }) {
    const tc = facts.testConnection;
    const d = topology.director.name;
    if (!tc || tc.error) return unknown(tc?.error ?? 'no test connection was made');
    if (!tc.captures.some((c) => c.host === d && (c.place === 'director-ext' || c.place === 'director-one') && c.packets !== null)) {
      return unknown("the director's external interface could not be captured");
    }
    const leak = facts.hopAnalysis?.connections.flatMap((c) => c.instead.filter((i) => i.kind === 'untranslated-leak')) ?? [];
    if (leak.length === 0) return pass(`nothing with a RIP as source left the director's external side`);
    const { vip } = topology.service;
    const ext = facts.derived.ext ?? 'EXT';
    const rip = leak[0].packet.src ?? 'RIP';
    const evidence: Evidence[] = [{ host: leak[0].host, command: 'tcpdump (test connection)', lines: leak.map((l) => l.line), note: 'source RIP on the external side' }];
    const snat = `iptables -t nat -A POSTROUTING -s ${rip} -o ${ext} -j SNAT --to-source ${vip}`;
    let fix: Fix;
    if (directorTable(facts, topology)?.kind === 'ipvs') {
      const timeouts = ipvsTimeouts(facts, d);
      const idle = timeouts ? idleBeforeLeak(facts, d, leak[0]) : null;
      const expired = timeouts && idle ? timeoutVerdict(timeouts, idle) : null;
      if (expired) evidence.push(facts.evidence(d, 'ipvsadm-timeout', undefined, expired.evidence));
      fix = {
        host: d,
        commands: [snat, 'sysctl -w net.ipv4.vs.conntrack=1'],
        why: `never let a RIP leave on the client side untranslated; and ${expired?.advice ?? "align the director's timeouts (ipvsadm --set TCP TCPFIN UDP) with the realservers' own"} (5.24)`,
      };
    } else {
      // The director balances with netfilter NAT, not IPVS (net.ipv4.vs.conntrack has no part), and the
      // packet belongs to no conntrack entry any more. conntrack takes a lone SYN+ACK as INVALID
      // and such a packet never reaches the nat table, so an SNAT rule would not translate it
      // (measured on the netns lab: with the rule in place the leak is unchanged; a DROP of
      // INVALID packets ends the leak but is then a firewall that drops the replies). Nothing
      // to apply: what removes the entries is the fault to find.
      fix = {
        host: d,
        commands: ['conntrack -E -e DESTROY'],
        why: `the director (netfilter NAT, not IPVS) lost the connection's conntrack entry before ${rip} answered; such a packet is INVALID to conntrack and never reaches the nat table, so no SNAT rule can translate it: find what deletes the entries or lets them expire first (\`conntrack -E -e DESTROY\`, net.netfilter.nf_conntrack_tcp_timeout_*)`,
      };
    }
    return fault({ verdict: 'fail', fault: 'director.untranslated-leak', hosts: [d], summary: `packets with source ${rip} (a RIP) leave the director's ${ext} untranslated: the connection entry was gone when the realserver answered`, evidence, fixes: [fix], certainty: 1 });
  },
};
