import type { Check } from '../ids.js';
import { connectedInterface, effectiveSendRedirects, sysctls } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.12: in one-network NAT the director sees the realserver's reply leave by the interface it
// came in on and sends an ICMP redirect; the realserver then bypasses it. send_redirects is
// the OR of `all` and the device.
export const directorRedirects: Check = {
  id: 'q2.director-redirects',
  question: 'q2-traceroute',
  title: 'One-network NAT: the director sends no ICMP redirects',
  needs: [],
  probes: [
    { role: 'director', probe: 'sysctl' },
    { role: 'director', probe: 'ip-addr' },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const { ext, int, cip } = facts.derived;
    if (!int) return unknown("the director's realserver-facing interface is not known");
    const clientOnRsLan = cip !== null && connectedInterface(facts, d, cip)?.ifname === int;
    const oneNet = ext === int || clientOnRsLan;
    if (!oneNet) return skip(`two-network NAT (${ext ?? '?'} / ${int}): redirects cannot arise`);
    const values = sysctls(facts, d);
    const eff = effectiveSendRedirects(values, int);
    if (eff === undefined) return unknown('send_redirects could not be read on the director');
    const wire = facts.hopAnalysis?.connections.flatMap((c) => c.instead.filter((i) => i.kind === 'redirect-from-director')) ?? [];
    const ev = [facts.evidence(d, 'sysctl', (l) => /send_redirects/.test(l) && (/\.(all|default)\./.test(l) || l.includes(`.${int}.`)), `effective send_redirects on ${int} = ${eff} (all OR ${int})`)];
    if (wire.length > 0) ev.push({ host: wire[0].host, command: 'tcpdump (test connection)', lines: wire.map((w) => w.line), note: 'ICMP redirect seen on the wire' });
    if (eff === 0 && wire.length === 0) return pass(`one-network NAT and send_redirects is 0 for all and ${int}`, ev);
    return fault({ verdict: 'fail', fault: 'director.send-redirects', hosts: [d], summary: `one-network NAT and the director ${wire.length ? 'sends' : 'may send'} ICMP redirects (send_redirects all OR ${int} = 1): realservers will reply straight to the client`, evidence: ev, fixes: [
      { host: d, commands: ['sysctl -w net.ipv4.conf.all.send_redirects=0', 'sysctl -w net.ipv4.conf.default.send_redirects=0', `sysctl -w net.ipv4.conf.${int.replace(/\./g, '/')}.send_redirects=0`], why: 'both all and the device must be 0 (they are OR-ed)' },
    ], certainty: wire.length ? 1 : 0.8 });
  },
};
