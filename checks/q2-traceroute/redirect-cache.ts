import type { Check } from '../ids.js';
import { routeGet } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.12: a redirect the realserver accepted stays in its route cache for about 300 s after the
// director stops sending them. While the director still sends, that is the fault to name.
export const redirectCache: Check = {
  id: 'q2.redirect-cache',
  question: 'q2-traceroute',
  title: "No realserver's route to the client is a cached redirect",
  needs: [],
  softNeeds: ['q2.director-redirects'],
  probes: [{ role: 'realserver', probe: 'route-get-client' }],
  evaluate({ topology, facts, deps }) {
    const cip = facts.derived.cip;
    if (!cip) return unknown("the client's address (CIP) is not known");
    const probed = topology.realservers.filter((r) => facts.probed(r.name));
    if (probed.length === 0) return skip('no realserver can be probed');
    const cached = probed.filter((r) => routeGet(facts, r.name, 'route-get-client')?.redirected);
    if (cached.length === 0) return pass(`no realserver holds a redirected route to ${cip}`);
    const directorSends = deps['q2.director-redirects']?.verdict === 'fail';
    const ev = cached.map((r) => facts.evidence(r.name, 'route-get-client', undefined, 'cache <redirected>'));
    const fixes = cached.map((r) => ({ host: r.name, commands: ['ip route flush cache', 'sysctl -w net.ipv4.conf.all.accept_redirects=0'], why: 'forget the redirect now and refuse the next one' }));
    return fault({ verdict: directorSends ? 'warn' : 'fail', fault: 'realserver.redirect-accepted', hosts: cached.map((r) => r.name), summary: `${cached.map((r) => r.name).join(', ')} route to ${cip} by a cached ICMP redirect${directorSends ? ' (the director still sends them: fix that first)' : ''}`, evidence: ev, fixes, certainty: directorSends ? 0.5 : 0.95 });
  },
};
