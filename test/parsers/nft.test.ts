import { describe, expect, it } from 'vitest';
import { nftParser, type NftRuleset } from '../../src/parsers/nft.js';
import { ParseError } from '../../src/model/parse-error.js';
import { fixtureText } from './director-fixture-text.js';

const numgenText = fixtureText('nft', 'lab-nft-1.0.6--director-numgen.out');
const numgen = nftParser.parse(numgenText);

function chain(parsed: NftRuleset, name: string) {
  const found = parsed.tables.flatMap((t) => t.chains).find((c) => c.name === name);
  if (!found) throw new Error(`${name} missing`);
  return found;
}

describe('nft list ruleset', () => {
  it('reads base chains with hook, priority and policy', () => {
    const pre = chain(numgen, 'prerouting');
    expect([pre.type, pre.hook, pre.priority, pre.priorityValue, pre.policy]).toEqual(['nat', 'prerouting', 'dstnat', -100, 'accept']);
    expect(chain(numgen, 'forward').policy).toBe('drop');
    expect(chain(numgen, 'mangle_pre').priorityValue).toBe(-150);
  });

  it('reads named sets and maps', () => {
    const [blocked, web] = numgen.tables[0].sets;
    expect(blocked).toMatchObject({ kind: 'set', name: 'blocked', elements: ['172.31.4.99', '172.31.4.200/29'], properties: { type: 'ipv4_addr', flags: 'interval' } });
    expect(web.entries).toEqual([{ key: '172.31.4.10', value: '10.44.1.13' }]);
  });

  it('reads the numgen map DNAT with a remapped port, its counter and comment', () => {
    const rule = chain(numgen, 'prerouting').rules[0];
    expect(rule.counters).toEqual({ packets: 7, bytes: 420 });
    expect(rule.comment).toBe('VIP:80 round robin');
    expect(rule.matches.map((m) => `${m.selector} ${m.value}`)).toEqual(['ip daddr 172.31.4.10', 'tcp dport 80']);
    expect(rule.statements[0]).toEqual({
      kind: 'nat', type: 'dnat', family: 'ip', toPort: null, flags: [],
      target: {
        kind: 'numgen', mode: 'inc', mod: 3, offset: 0, entries: [
          { key: 0, to: { address: '10.44.1.11', port: 80, portMax: null } },
          { key: 1, to: { address: '10.44.1.12', port: 80, portMax: null } },
          { key: 2, to: { address: '10.44.1.13', port: 8080, portMax: null } },
        ],
      },
    });
    expect(rule.unrecognised).toEqual([]);
  });

  it('reads single DNAT targets, marks, verdicts and reject codes', () => {
    const pre = chain(numgen, 'prerouting').rules;
    expect(pre[3].statements[0]).toMatchObject({ type: 'dnat', target: { kind: 'address', address: '10.44.1.13', port: 8080 } });
    expect(pre[2].statements[0]).toMatchObject({ target: { kind: 'map', key: 'ip daddr', map: '@web8080', entries: null } });
    expect(chain(numgen, 'mangle_pre').rules[0].statements).toEqual([{ kind: 'mark', scope: 'meta', value: '0x00000001' }]);
    expect(chain(numgen, 'input').rules.map((r) => r.verdict?.rejectWith)).toEqual(['tcp reset', 'icmp admin-prohibited']);
    expect(chain(numgen, 'forward').rules[4].verdict).toEqual({ kind: 'reject', chain: null, rejectWith: null });
    expect(chain(numgen, 'forward').rules[4].matches[0]).toMatchObject({ selector: 'iifname', op: '!=', values: ['d-ext'] });
  });

  it('keeps what iptables-nft prints: numgen matches, jumps and unmodelled expressions', () => {
    const translated = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--director-iptables-nft-translated.out'));
    expect(chain(translated, 'LVS-VIP80').rules[1].matches[1]).toMatchObject({ selector: 'numgen inc mod 2', values: ['0'] });
    const pre = translated.tables.find((t) => t.name === 'nat')?.chains.find((c) => c.name === 'PREROUTING');
    expect(pre?.rules[0].verdict).toEqual({ kind: 'jump', chain: 'LVS-VIP80', rejectWith: null });
    expect(pre?.rules[1].unrecognised).toEqual(['meta random & 2147483647 < 1073741824']);
  });

  it('reads handles of nft -a and the inet family', () => {
    const rs = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--realserver-inet-handles.out'));
    expect(rs.tables[0]).toMatchObject({ family: 'inet', name: 'filter', handle: 1 });
    const input = rs.tables[0].chains[0];
    expect(input.rules.map((r) => r.handle)).toEqual([3, 4, 5, 6, 8, 9, 10]);
    expect(input.rules[3].text).toBe('ip saddr 172.31.4.0/24 tcp dport 8080 counter packets 2 bytes 120 reject with icmpx admin-prohibited');
  });

  it('refuses truncated output and lines outside a table', () => {
    expect(() => nftParser.parse(numgenText.slice(0, numgenText.indexOf('chain forward')))).toThrow(ParseError);
    expect(() => nftParser.parse(`ip daddr 10.0.0.1 drop\n${numgenText}`)).toThrow(/expected 'table FAMILY NAME \{'/);
  });
});
