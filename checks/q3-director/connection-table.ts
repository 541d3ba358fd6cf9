import type { CheckDefinition } from '../../src/engine/check-definition.js';
import { connectionTableDigest } from '../../src/engine/connection-table.js';
import { fault, pass, unknown } from '../lib.js';

// 5.4/5.24, director only: SYN_RECV entries to a realserver with none ESTABLISHED mean its
// replies do not come back through the director (conntrack says SYN_SENT [UNREPLIED]).
export const connectionTable: CheckDefinition = {
  id: 'q3.connection-table',
  question: 'q3-director',
  title: "The director's connection table shows replies coming back",
  needs: [],
  probes: [
    { role: 'director', probe: 'ipvsadm-conn' },
    { role: 'director', probe: 'conntrack' },
  ],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const digest = connectionTableDigest(topology, facts);
    if (!digest) return unknown(`the connection table (ipvsadm -Lnc / conntrack -L) could not be read on ${d}`);
    const stalled = digest.filter((r) => r.synRecv > 0 && r.established === 0);
    const probe = facts.parsed<{ format?: string }>(d, 'ipvsadm-conn')?.format === 'ipvsadm-connections' ? 'ipvsadm-conn' : 'conntrack';
    if (stalled.length === 0) {
      const total = digest.reduce((n, r) => n + r.synRecv + r.established + r.other, 0);
      return pass(`no realserver has only half-open entries (${total} entr${total === 1 ? 'y' : 'ies'} for the service)`);
    }
    const rips = stalled.map((s) => topology.realservers.find((r) => r.name === s.realserver)!.rip);
    return fault('fail', 'director.return-path-stalled', stalled.map((s) => s.realserver), `${stalled.map((s) => `${s.realserver}: ${s.synRecv} half-open, 0 established`).join('; ')}: replies do not come back through the director`, [
      facts.evidence(d, probe, (l) => rips.some((rip) => l.includes(rip)) && /SYN_RECV|SYN_SENT|UNREPLIED/.test(l)),
    ], stalled.map((s) => ({ host: s.realserver, commands: [`ip route get ${facts.derived.cip ?? 'CIP'} from ${topology.realservers.find((r) => r.name === s.realserver)!.rip}`, `ip route replace default via ${facts.derived.dip ?? 'DIP'}`], why: 'see realserver.reply-route: the realserver must route replies via the DIP' })), 0.6);
  },
};
