import type { Check } from '../ids.js';
import { historyNotes, readConnectionTable, splitByTestConnections } from '../../src/facts/connection-table.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.4/5.24, director only: the test connection's own entries (its client address and port)
// still in SYN_RECV once it is over mean the realserver's replies do not come back through
// the director (conntrack says SYN_SENT [UNREPLIED]). Entries of earlier connections are
// history: right after a fix, the failed ones stay half-open until their timeout, and they
// must not fail the run that proves the fix worked.
export const connectionTable: Check = {
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
    const table = readConnectionTable(topology, facts);
    if (!table) return unknown(`the connection table (ipvsadm -Lnc / conntrack -L) could not be read on ${d}`);
    const tested = facts.hopAnalysis?.connections ?? [];
    const { own, history } = splitByTestConnections(table, tested);
    const notes = historyNotes(history, table.probe);
    const withNotes = <T extends object>(finding: T): T => (notes.length > 0 ? { ...finding, notes } : finding);
    const entries = (n: number): string => `${n} entr${n === 1 ? 'y' : 'ies'}`;
    if (tested.length === 0) {
      return withNotes(unknown(`no test connection was seen, so the table's ${entries(table.entries.length)} for the service cannot be told apart from earlier connections: not judged`));
    }
    if (table.entries.length === 0) return skip(`the table holds no entry for the service on ${d}: nothing to judge`);
    const ports = tested.map((t) => `${t.cip}:${t.cport}`).join(', ');
    if (own.length === 0) {
      return withNotes(skip(`none of the table's ${entries(table.entries.length)} for the service belongs to this run's test connection(s) (${ports}): it says nothing about the present`));
    }
    // The table is read after the test connections ended: one of them still half-open got no reply.
    const stalled = topology.realservers.map((rs) => own.filter((e) => e.realserver === rs && e.halfOpen)).filter((es) => es.length > 0);
    if (stalled.length === 0) {
      const states = own.map((e) => `${e.realserver.name} ${e.state}`).join(', ');
      return withNotes(pass(`this run's test connection(s) show replies coming back through the director (${states})`));
    }
    const hosts = stalled.map((es) => es[0].realserver.name);
    const stuck = stalled.flat();
    const dip = facts.derived.dip ?? 'DIP';
    return withNotes(
      fault({ verdict: 'fail', fault: 'director.return-path-stalled', hosts, summary: `${stalled.map((es) => `${es[0].realserver.name}: this run's test connection${es.length === 1 ? '' : 's'} left ${entries(es.length)} half-open (${es[0].state})`).join('; ')}: replies do not come back through the director`, evidence: [
        facts.evidence(d, table.probe, (l) => stuck.some((e) => table.lineOf(e)(l)), "the test connection's own entries"),
      ], fixes: stalled.map((es) => ({ host: es[0].realserver.name, commands: [`ip route get ${facts.derived.cip ?? es[0].client} from ${es[0].realserver.rip}`, `ip route replace default via ${dip}`], why: 'see realserver.reply-route: the realserver must route replies via the DIP' })), certainty: 0.6 }),
    );
  },
};
