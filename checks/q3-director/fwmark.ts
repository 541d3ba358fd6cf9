import type { Check } from '../ids.js';
import { netfilterFromIptables, type FwmarkRule } from '../../src/director/from-netfilter.js';
import type { Evidence } from '../../src/model/check.js';
import type { Facts } from '../../src/facts/facts.js';
import { fault, hopSeenAt, pass, skip, testedConnection, unknown } from '../lib.js';

const isMarkLine = (l: string): boolean => /MARK/.test(l);

/** A MARK rule's packets before and after this run's test connection (same chain, same text). */
interface RuleReading {
  before: FwmarkRule;
  after: FwmarkRule;
  grew: number;
}

function readingsOverRun(before: readonly FwmarkRule[], after: readonly FwmarkRule[]): RuleReading[] {
  const readings: RuleReading[] = [];
  for (const b of before) {
    const a = after.find((r) => r.rule.chain === b.rule.chain && r.rule.text === b.rule.text);
    if (!a || !a.rule.counters || !b.rule.counters) continue;
    readings.push({ before: b, after: a, grew: a.rule.counters.packets - b.rule.counters.packets });
  }
  return readings;
}

/** Both readings of the MARK rules, so the verdict shows what it compared. */
function bothReadings(facts: Facts, d: string): Evidence[] {
  return [
    facts.evidence(d, 'iptables-save', isMarkLine, 'before the test connection'),
    facts.evidence(d, 'iptables-mangle-after', isMarkLine, 'after the test connection'),
  ];
}

// 5.9 Q.3 A.5: a firewall-mark service sees nothing unless the mangle rule marks the packets.
// The verdict rests on this run's test connection: the MARK rule's counters are read before and
// after it, and only their growth says the rule marks the service's packets now (a count left by
// yesterday's traffic proves nothing, and a rule just added by --fix counts from 0).
export const fwmark: Check = {
  id: 'q3.fwmark',
  question: 'q3-director',
  title: 'A firewall-mark service gets marked packets',
  needs: [],
  probes: [
    { role: 'director', probe: 'iptables-save' },
    // Built only for a firewall-mark service; a bundle recorded before it existed replays without it.
    { role: 'director', probe: 'iptables-mangle-after', supplementary: true },
  ],
  evaluate({ topology, facts }) {
    const mark = topology.service.fwmark;
    if (mark === undefined) return skip('not a firewall-mark service');
    const d = topology.director.name;
    const ipt = facts.parsed(d, 'iptables-save');
    if (!ipt) return unknown(`iptables-save could not be read on ${d}`);
    const rules = netfilterFromIptables(ipt).fwmarks.filter((r) => r.mark === mark);
    const { vip, vport, protocol } = topology.service;
    const fix = [{ host: d, commands: [`iptables -t mangle -A PREROUTING -d ${vip}/32 -p ${protocol.toLowerCase()} --dport ${vport} -j MARK --set-mark ${mark}`], why: 'mark the service\'s packets so IPVS sees them' }];
    if (rules.length === 0) return fault({ verdict: 'fail', fault: 'client.fwmark-unmarked', hosts: [d], summary: `no mangle rule sets mark ${mark}: the FWM service never sees a packet`, evidence: [facts.evidence(d, 'iptables-save', isMarkLine)], fixes: fix, certainty: 0.9 });

    const after = facts.parsed(d, 'iptables-mangle-after');
    const conn = testedConnection(facts);
    const synReachedDirector = conn !== null && hopSeenAt(conn, 1, d) === 'seen';
    if (after) {
      const readings = readingsOverRun(rules, netfilterFromIptables(after).fwmarks.filter((r) => r.mark === mark));
      const grown = readings.filter((r) => r.grew > 0);
      if (grown.length > 0) {
        const n = grown.reduce((sum, r) => sum + r.grew, 0);
        return pass(`the rule setting mark ${mark} (line ${grown[0].after.rule.line}: ${grown[0].after.rule.text}) matched ${n} packet(s) of this run's test connection`, bothReadings(facts, d));
      }
      if (synReachedDirector) {
        const r = readings[0]?.after.rule ?? rules[0].rule;
        return fault({ verdict: 'fail', fault: 'client.fwmark-unmarked', hosts: [d], summary: `the test connection's SYN reached ${facts.derived.ext ?? d} but the rule setting mark ${mark} (line ${r.line}: ${r.text}) counted none of its packets: the FWM service never sees them`, evidence: bothReadings(facts, d), fixes: fix, certainty: 0.9 });
      }
    }
    // No reading over this run (a bundle from before the second reading, or no test connection
    // reached the director): the counters hold whatever traffic came before, so say so.
    const why = after ? 'no test connection reached the director' : 'the counters were read only before the test connection';
    const note = `${why}: they are not from this run`;
    if (rules.every((r) => r.rule.counters?.packets === 0)) return fault({ verdict: 'fail', fault: 'client.fwmark-unmarked', hosts: [d], summary: `the rule setting mark ${mark} has matched no packet (${note})`, evidence: [facts.evidence(d, 'iptables-save', isMarkLine, note)], fixes: fix, certainty: 0.6 });
    return pass(`mark ${mark} is set by ${rules.length} mangle rule(s) (${note})`);
  },
};
