// The command that removes a DROP/REJECT rule found by firewall-match, built from the parsed
// rule: `iptables -t TABLE -D CHAIN <the rule's own words>` for iptables-save, `nft delete
// rule FAMILY TABLE CHAIN handle N` for nft. Every word of a rule is checked to be a plain
// shell word; a rule with anything else gets no command (null: the caller says it was withheld),
// never a guess.
import type { FirewallHit } from './firewall-match.js';

/** Words iptables-save prints for options and values that a shell reads as themselves. */
const PLAIN_WORD = /^[A-Za-z0-9_.:/,=+@%!-]+$/;
const PLAIN_NAME = /^[A-Za-z0-9_.-]+$/;

export interface RemoveRule {
  /** null where a rule holds a word that is not plain: no command is offered for it. */
  commands: (string | null)[];
  /** A word for the fix's why, when the command needs something the run did not read (nft's handle). */
  note?: string;
}

/** iptables: the rule as printed by iptables-save (`-A CHAIN ...`), turned into its deletion. */
function iptablesDelete(hit: FirewallHit): string | null {
  const words = hit.text.trim().split(/\s+/);
  if (words[0] !== '-A' || words[1] !== hit.chain) return null;
  const rest = words.slice(2);
  if (!PLAIN_NAME.test(hit.table) || !PLAIN_NAME.test(hit.chain) || !rest.every((w) => PLAIN_WORD.test(w))) return null;
  return `iptables -t ${hit.table} -D ${hit.chain} ${rest.join(' ')}`;
}

/** nft: deletion goes by handle; `nft list ruleset` (no -a) does not print it, so the first command shows it. */
function nftDelete(hit: FirewallHit): RemoveRule {
  const [family, table, extra] = hit.table.split(' ');
  if (extra !== undefined || !PLAIN_NAME.test(family ?? '') || !PLAIN_NAME.test(table ?? '') || !PLAIN_NAME.test(hit.chain)) return { commands: [null] };
  const where = `${family} ${table} ${hit.chain}`;
  if (typeof hit.handle === 'number') return { commands: [`nft delete rule ${where} handle ${hit.handle}`] };
  return {
    commands: [`nft -a list chain ${where}`, `nft delete rule ${where} handle HANDLE`],
    note: `HANDLE: the number after '# handle' on the rule '${hit.text}'`,
  };
}

/** The commands removing each rule hit (policies are not rules: they have no command here). */
export function removeRulesCommands(hits: readonly FirewallHit[]): RemoveRule {
  const commands: (string | null)[] = [];
  const notes: string[] = [];
  for (const hit of hits) {
    if (hit.kind !== 'rule') continue;
    const fix = hit.source === 'iptables' ? { commands: [iptablesDelete(hit)] } : nftDelete(hit);
    for (const c of fix.commands) if (!commands.includes(c)) commands.push(c);
    if ('note' in fix && fix.note) notes.push(fix.note);
  }
  return notes.length ? { commands, note: notes.join('; ') } : { commands };
}
