import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipRuleParser } from '../../src/parsers/ip-rule.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ip-rule', name), 'utf8');
const parse = (text: string) => ipRuleParser.parse(text);

describe('ip-rule', () => {
  it('reads the realserver source rule `from RIP lookup 100` and its neighbours', () => {
    const { rules } = parse(fixture('fx3lab--rs1.out'));
    expect(rules.map((r) => r.priority)).toEqual([0, 100, 200, 300, 400, 32766, 32767]);
    expect(rules[1]).toMatchObject({ from: '10.91.2.11', action: 'lookup', table: '100' });
    expect(rules[2]).toMatchObject({ from: 'all', fwmark: '0x5', table: '100' });
    expect(rules[3]).toMatchObject({ to: '10.91.9.0/24', iif: 'eth0', table: 'main' });
    expect(rules[4]).toMatchObject({ from: '10.91.8.0/24', action: 'prohibit', table: null });
  });

  it('reads not, oif, tos, goto, suppress_prefixlength, ipproto/dport, uidrange and named tables', () => {
    const { rules } = parse(fixture('fx3lab--named-table-lvs.out'));
    const byPrio = Object.fromEntries(rules.map((r) => [r.priority, r]));
    expect(byPrio[50]).toMatchObject({ not: true, from: '10.91.2.0/24', table: 'lvs' });
    expect(byPrio[60].oif).toBe('eth0');
    expect(byPrio[70]).toMatchObject({ table: 'main', suppressPrefixLength: 0 });
    expect(byPrio[80].tos).toBe('0x10');
    expect(byPrio[95]).toMatchObject({ to: '10.91.77.0/24', action: 'blackhole' });
    expect(byPrio[97]).toMatchObject({ ipproto: 'tcp', dport: '80' });
    expect(byPrio[98].uidrange).toBe('1000-2000');
    expect(byPrio[99]).toMatchObject({ action: 'goto', gotoPriority: 32766 });
  });

  it('refuses the seed listing at the line where a placeholder stands for the subnet', () => {
    const text = fixture('rejected/seed--isp2-source-route.out');
    expect(() => parse(text)).toThrow(ParseError);
    expect(() => parse(text)).toThrow(/^line 2: /);
  });

  it('refuses a rule without an action and an unknown keyword', () => {
    expect(() => parse('100:\tfrom 10.0.0.1\n')).toThrow(/line 1: expected an action/);
    expect(() => parse('100:\tfrom all lookup main\n101:\tfrom all sideways 3 lookup main\n')).toThrow(/line 2: unknown rule keyword/);
  });
});
