import type { Check } from '../ids.js';
import { historyNotes, readConnectionTable, splitByTestConnections, tableCommand, type ConnectionTable } from '../../src/facts/connection-table.js';
import type { Finding } from '../../src/model/check.js';
import type { Topology } from '../../src/model/topology.js';
import type { Facts } from '../../src/facts/facts.js';
import { fault, hopSeenAt, pass, skip, unknown } from '../lib.js';

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
    const withNotes = <T extends { notes?: string[] }>(finding: T): T => {
      const all = [...(finding.notes ?? []), ...notes];
      return all.length > 0 ? { ...finding, notes: all } : finding;
    };
    const entries = (n: number): string => `${n} entr${n === 1 ? 'y' : 'ies'}`;
    if (tested.length === 0 && facts.snapshotOnly) return judgeSnapshot(table, topology, facts);
    if (tested.length === 0) {
      return withNotes(unknown(`no test connection was seen, so the table's ${entries(table.entries.length)} for the service cannot be told apart from earlier connections: not judged`));
    }
    if (table.entries.length === 0) return skip(`the table holds no entry for the service on ${d}: nothing to judge`);
    const ports = tested.map((t) => `${t.cip}:${t.cport}`).join(', ');
    if (own.length === 0) {
      return withNotes(skip(`none of the table's ${entries(table.entries.length)} for the service belongs to this run's test connection(s) (${ports}): it says nothing about the present`));
    }
    // The table is read after the test connections ended: one of them still half-open got no reply.
    // Unless the wire shows its reply rewritten on its way out to the client (hop 4): then the
    // replies do come back through the director, and the table was read before what followed
    // landed. Seen on the real-IPVS guest: SYNs held in the client's ARP queue left after its
    // tool had ended, and the table was read between their SYN+ACK and the client's RST.
    const overtaken = (e: (typeof own)[number]): boolean => {
      const conn = tested.find((t) => t.cip === e.client && t.cport === e.cport);
      return conn !== undefined && hopSeenAt(conn, 3) === 'seen' && hopSeenAt(conn, 4) === 'seen';
    };
    const halfOpen = own.filter((e) => e.halfOpen);
    const raced = halfOpen.filter(overtaken);
    const racedNotes = raced.length > 0 ? [`${tableCommand(table.probe)} showed ${raced.map((e) => `${e.client}:${e.cport} -> ${e.realserver.name} ${e.state}`).join(', ')}, but the wire shows ${raced.length === 1 ? 'its' : 'their'} reply coming back through the director and rewritten towards the client (hops 3 and 4): the table was read before the rest of the exchange landed, not a stalled return path`] : [];
    const stalled = topology.realservers.map((rs) => halfOpen.filter((e) => e.realserver === rs && !raced.includes(e))).filter((es) => es.length > 0);
    if (stalled.length === 0) {
      const states = own.map((e) => `${e.realserver.name} ${e.state}`).join(', ');
      const found = pass(`this run's test connection(s) show replies coming back through the director (${raced.length > 0 ? 'on the wire; the table said ' : ''}${states})`);
      return withNotes({ ...found, ...(racedNotes.length > 0 ? { notes: racedNotes } : {}) });
    }
    const hosts = stalled.map((es) => es[0].realserver.name);
    const stuck = stalled.flat();
    const dip = facts.derived.dip ?? 'DIP';
    return withNotes({
      ...(racedNotes.length > 0 ? { notes: racedNotes } : {}),
      ...fault({ verdict: 'fail', fault: 'director.return-path-stalled', hosts, summary: `${stalled.map((es) => `${es[0].realserver.name}: this run's test connection${es.length === 1 ? '' : 's'} left ${entries(es.length)} half-open (${es[0].state})`).join('; ')}: replies do not come back through the director`, evidence: [
        facts.evidence(d, table.probe, (l) => stuck.some((e) => table.lineOf(e)(l)), "the test connection's own entries"),
      ], fixes: stalled.map((es) => ({ host: es[0].realserver.name, commands: [`ip route get ${facts.derived.cip ?? es[0].client} from ${es[0].realserver.rip}`, `ip route replace default via ${dip}`], why: 'see realserver.reply-route: the realserver must route replies via the DIP' })), certainty: 0.6 }),
    });
  },
};

export const SNAPSHOT_NOTE = 'a pasted table is one moment: it cannot tell present connections from past ones, so this is judged at lower certainty';

/**
 * `lvs-doctor explain`: no test connection ran, the pasted table is all there is. A realserver
 * whose every entry is half-open and none established is judged stalled, at low certainty.
 */
function judgeSnapshot(table: ConnectionTable, topology: Topology, facts: Facts): Finding {
  const notes = [SNAPSHOT_NOTE];
  const d = topology.director.name;
  if (table.entries.length === 0) return { ...skip(`the pasted table holds no entry for the service on ${d}: nothing to judge`), notes };
  const stalled = topology.realservers
    .map((rs) => table.entries.filter((e) => e.realserver === rs))
    .filter((es) => es.length > 0 && es.every((e) => e.halfOpen));
  if (stalled.length === 0) {
    return { ...pass(`the pasted table shows replies coming back through ${d} for every realserver with entries`), notes };
  }
  const hosts = stalled.map((es) => es[0].realserver.name);
  const entries = (n: number): string => `${n} entr${n === 1 ? 'y' : 'ies'}`;
  const stuck = stalled.flat();
  return {
    ...fault({ verdict: 'fail', fault: 'director.return-path-stalled', hosts, summary: `${stalled.map((es) => `${es[0].realserver.name}: all ${entries(es.length)} half-open (${es[0].state}), none established`).join('; ')}: replies do not come back through the director`, evidence: [
      facts.evidence(d, table.probe, (l) => stuck.some((e) => table.lineOf(e)(l)), 'the half-open entries of the pasted table'),
    ], fixes: stalled.map((es) => ({ host: es[0].realserver.name, commands: [`ip route get ${es[0].client} from ${es[0].realserver.rip}`], why: 'see realserver.reply-route: the realserver must route replies via the DIP' })), certainty: 0.45 }),
    notes,
  };
}
