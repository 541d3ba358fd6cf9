// Issue 16.4: a firewall fix is the command that removes the rule, built from the parsed rule
// (real iptables-save / nft outputs of the lab, fixtures/parsers/), once per rule.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeRulesCommands } from '../../src/director/firewall-fix.js';
import { firewallHitsIptables, firewallHitsNft, type FirewallHit } from '../../src/director/firewall-match.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { isPlainShellCommand, WITHHELD_FIX } from '../../src/engine/fix-guard.js';
import { iptablesSaveParser } from '../../src/parsers/iptables-save.js';
import { nftParser } from '../../src/parsers/nft.js';
import { formatFixCommands } from '../../src/report/fixes.js';
import type { ResultDocument } from '../../src/model/result.js';
import { fixtureText } from '../parsers/director-fixture-text.js';
import { removeRulesFix } from '../../checks/lib.js';

const realserver = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-legacy-1.8.9--realserver-reject-counters.out'));
const natLb = iptablesSaveParser.parse(fixtureText('iptables-save', 'lab-nft-1.8.9--director-nat-lb.out'));
const nftHandles = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--realserver-inet-handles.out'));
const nftNoHandles = nftParser.parse(fixtureText('nft', 'lab-nft-1.0.6--director-numgen.out'));

describe('removing a rule', () => {
  it('iptables: -D with the rule\'s own words, in its table', () => {
    const hits = firewallHitsIptables(realserver, { protocol: 'tcp', src: '172.31.4.2', dst: '172.31.4.11', dport: 80, hook: 'input' });
    expect(removeRulesCommands(hits).commands).toEqual(['iptables -t filter -D INPUT -s 172.31.4.0/24 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-admin-prohibited']);
  });

  it('iptables: a rule with a quoted value gets no command, not a guess', () => {
    const rule = natLb.tables.find((t) => t.name === 'nat')?.chains.find((c) => c.name === 'PREROUTING')?.rules.find((r) => r.text.includes('--comment "'));
    if (!rule) throw new Error('fixture changed: no quoted comment in nat PREROUTING');
    const hit: FirewallHit = { kind: 'rule', verdict: 'DROP', rejectWith: null, table: 'nat', chain: 'PREROUTING', line: rule.line, text: rule.text, counters: null, certain: true, unevaluated: [], source: 'iptables' };
    expect(removeRulesCommands([hit]).commands).toEqual([null]);
    expect(removeRulesFix('director', [hit], 'x').commands).toEqual([WITHHELD_FIX]);
  });

  it('nft listed with handles: delete by handle', () => {
    const hits = firewallHitsNft(nftHandles, { protocol: 'tcp', src: '172.31.4.2', dst: '172.31.4.11', dport: 8080, hook: 'input', inIface: 'eth0', ctState: 'new' });
    expect(removeRulesCommands(hits.filter((h) => h.kind === 'rule')).commands).toEqual(['nft delete rule inet filter input handle 6']);
  });

  it('nft listed without handles: the command that shows the handle, then the deletion, and the why says which rule', () => {
    const hits = firewallHitsNft(nftNoHandles, { protocol: 'tcp', src: '172.31.4.2', dst: '10.44.1.11', sport: 40000, dport: 25, hook: 'forward', inIface: 'd-ext', outIface: 'br-int', ctState: 'new', dnat: false });
    const rules = hits.filter((h) => h.kind === 'rule');
    expect(rules.length).toBeGreaterThan(0);
    const fix = removeRulesCommands(rules);
    const where = `${rules[0].table} ${rules[0].chain}`;
    expect(fix.commands.slice(0, 2)).toEqual([`nft -a list chain ${where}`, `nft delete rule ${where} handle HANDLE`]);
    expect(fix.note).toContain(rules[0].text);
  });
});

describe('the recorded firewall faults', () => {
  const bundles = new URL('../../fixtures/bundles/', import.meta.url).pathname;
  for (const [name, host, rule] of [
    ['realserver.firewall-reject', 'rs1', 'iptables -t filter -D INPUT -p tcp -m tcp --dport 80 -m comment --comment lvs-doctor-lab -j REJECT --reject-with icmp-port-unreachable'],
    ['realserver.silent-drop', 'rs1', 'iptables -t filter -D INPUT -p tcp -m tcp --dport 80 -m comment --comment lvs-doctor-lab -j DROP'],
    ['director.firewall-drop', 'director', 'iptables -t filter -D FORWARD -s 10.217.1.10/32 -i rec-ext -m comment --comment lvs-doctor-lab -j DROP'],
  ] as const) {
    it(`${name}: one runnable command (iptables-nft's view in nft is the same rule), printed once by c`, async () => {
      const result = await replayBundle(join(bundles, name));
      const fixes = result.diagnoses.flatMap((d) => d.fixes);
      expect(fixes.map((f) => [f.host, f.commands])).toEqual([[host, [rule]]]);
      expect(isPlainShellCommand(rule)).toBe(true);
      expect(result.diagnoses[0].evidence.flatMap((e) => e.lines).filter((l) => l.startsWith('ip filter/'))).toEqual([]);
      const copied = formatFixCommands(result).split('\n');
      expect(copied.filter((l) => l === rule)).toHaveLength(1);
      expect(copied.filter((l) => l !== '' && !l.startsWith('# '))).toEqual([rule]);
    });
  }

  it('c prints a command two diagnoses share once', async () => {
    const result = await replayBundle(join(bundles, 'realserver.silent-drop'));
    const twice: ResultDocument = { ...result, diagnoses: [result.diagnoses[0], { ...result.diagnoses[0], id: 'director.firewall-drop' }] };
    expect(formatFixCommands(twice).split('\n').filter((l) => l.startsWith('iptables '))).toHaveLength(1);
  });
});
