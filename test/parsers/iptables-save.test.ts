import { describe, expect, it } from 'vitest';
import { iptablesSaveParser, matchOption, type IptablesSave } from '../../src/parsers/iptables-save.js';
import { ParseError } from '../../src/model/parse-error.js';
import { fixtureText } from './director-fixture-text.js';

const directorText = fixtureText('iptables-save', 'lab-nft-1.8.9--director-nat-lb-counters.out');
const director = iptablesSaveParser.parse(directorText);

function chain(parsed: IptablesSave, table: string, name: string) {
  const found = parsed.tables.find((t) => t.name === table)?.chains.find((c) => c.name === name);
  if (!found) throw new Error(`${table}/${name} missing`);
  return found;
}

describe('iptables-save', () => {
  it('reads tables in printed order, chain policies and counters', () => {
    expect(director.tables.map((t) => t.name)).toEqual(['mangle', 'raw', 'filter', 'nat']);
    const forward = chain(director, 'filter', 'FORWARD');
    expect(forward.policy).toBe('DROP');
    expect(chain(director, 'nat', 'LVS-VIP80').policy).toBeNull();
    expect(chain(director, 'mangle', 'PREROUTING').counters).toEqual({ packets: 106, bytes: 5706 });
  });

  it('tokenises the nth round-robin chain with per-rule counters', () => {
    const rules = chain(director, 'nat', 'LVS-VIP80').rules;
    expect(rules.map((r) => r.counters?.packets)).toEqual([3, 2, 2]);
    expect(matchOption(rules[0], 'statistic', 'every')?.values).toEqual(['3']);
    expect(rules[2].target).toEqual({ name: 'DNAT', goto: false, options: [{ name: 'to-destination', values: ['10.44.1.13:8080'], negated: false }] });
    expect(rules[0].text).toBe('-A LVS-VIP80 -p tcp -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.44.1.11:80');
    expect(rules[0].line).toBe(50);
  });

  it('keeps quoted comments and log prefixes whole, and negations', () => {
    const jump = chain(director, 'nat', 'PREROUTING').rules[0];
    expect(matchOption(jump, 'comment', 'comment')?.values).toEqual(['lvs-doctor lab: VIP:80 round robin']);
    expect(chain(director, 'filter', 'LOGDROP').rules[0].target?.options).toEqual([{ name: 'log-prefix', values: ['fx4 drop: '], negated: false }]);
    const reject = chain(director, 'filter', 'FORWARD').rules[3];
    expect(reject.basic[0]).toEqual({ name: 'i', values: ['d-ext'], negated: true });
    const masq = chain(director, 'nat', 'POSTROUTING').rules[2];
    expect(masq.basic.find((o) => o.name === 'd')).toEqual({ name: 'd', values: ['10.44.1.0/24'], negated: true });
  });

  it('reads a save without -c (no rule counters) and a legacy save', () => {
    const plain = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-nft-1.8.9--director-nat-lb.out'));
    expect(chain(plain, 'nat', 'LVS-VIP80').rules.every((r) => r.counters === null)).toBe(true);
    const legacy = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-legacy-1.8.9--realserver-reject-counters.out'));
    expect(chain(legacy, 'filter', 'INPUT').rules[2].counters).toEqual({ packets: 2, bytes: 120 });
  });

  it('accepts the warning-only output of the nft variant as no tables', () => {
    expect(iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-nft-1.8.9--legacy-tables-warning.out')).tables).toEqual([]);
  });

  it('refuses truncated output, naming the last line', () => {
    const cut = directorText.slice(0, directorText.lastIndexOf('COMMIT'));
    expect(() => iptablesSaveParser.parse(cut)).toThrow(ParseError);
    expect(() => iptablesSaveParser.parse(cut)).toThrow(/not closed by COMMIT/);
  });

  it('refuses a rule on an undeclared chain and a line it does not understand', () => {
    const noChain = directorText.replace(':LVS-VIP80 - [0:0]\n', '');
    expect(() => iptablesSaveParser.parse(noChain)).toThrow(/chain LVS-VIP80, not declared/);
    const lines = directorText.split('\n');
    const bad = [...lines.slice(0, 10), 'hello world', ...lines.slice(10)].join('\n');
    try {
      iptablesSaveParser.parse(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).line).toBe(11);
    }
  });
});
