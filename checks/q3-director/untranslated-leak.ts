import type { Check } from '../ids.js';
import { fault, pass, unknown } from '../lib.js';

// 5.24: when the director has forgotten a connection while the realserver still answers
// (its entry timed out; a retransmitted SYN+ACK, a late RST), the packet leaves ext with the
// RIP as source. It is judged on its own: the connection it belongs to may look broken earlier.
export const untranslatedLeak: Check = {
  id: 'q3.untranslated-leak',
  question: 'q3-director',
  title: 'No packet leaves the director towards the client with a RIP as source',
  needs: [],
  probes: [],
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
    return fault({ verdict: 'fail', fault: 'director.untranslated-leak', hosts: [d], summary: `packets with source ${rip} (a RIP) leave the director's ${ext} untranslated: the connection entry was gone when the realserver answered`, evidence: [
      { host: leak[0].host, command: 'tcpdump (test connection)', lines: leak.map((l) => l.line), note: 'source RIP on the external side' },
    ], fixes: [{ host: d, commands: [`iptables -t nat -A POSTROUTING -s ${rip} -o ${ext} -j SNAT --to-source ${vip}`, 'sysctl -w net.ipv4.vs.conntrack=1'], why: "never let a RIP leave on the client side untranslated; and align the director's timeouts (ipvsadm --set TCP TCPFIN UDP) with the realservers' own (5.24)" }], certainty: 1 });
  },
};
