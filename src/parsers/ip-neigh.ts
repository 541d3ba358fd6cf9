// `ip neigh` / `ip -4 neigh show`: the kernel's neighbour (ARP) table, one entry per line as
// `ADDRESS dev IFNAME [lladdr MAC] [router] [proxy] [extern_learn] STATE...`. An entry with a
// MAC the kernel sends with at once (REACHABLE, STALE, DELAY, PROBE, PERMANENT, NOARP); one
// without is being resolved (INCOMPLETE) or was not (FAILED). iproute2 prints a state word for
// each flag set, so a line may end in more than one (a PERMANENT entry is NOARP too on some).
import { ParseError } from '../model/parse-error.js';
import { contentLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';
import { isIP } from '../util/ip.js';

export const NEIGH_STATES = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE'] as const;
export type NeighState = (typeof NEIGH_STATES)[number];

export interface NeighEntry {
  address: string;
  dev: string;
  /** Lower-case colon form; null when the kernel holds none (INCOMPLETE, FAILED). */
  lladdr: string | null;
  router: boolean;
  /** Every state word printed, in order (usually one). */
  states: NeighState[];
  line: number;
}

export interface IpNeighResult {
  format: 'ip-neigh';
  entries: NeighEntry[];
}

const FLAGS = new Set(['router', 'proxy', 'extern_learn', 'offload', 'managed']);
const isState = (word: string): word is NeighState => (NEIGH_STATES as readonly string[]).includes(word);

function parseEntry(line: NumberedLine): NeighEntry {
  const tokens = line.text.trim().split(/\s+/);
  const [address, devWord, dev] = tokens;
  if (!isIP(address)) throw new ParseError('expected a neighbour entry starting with its address', line.no, line.text);
  if (devWord !== 'dev' || dev === undefined) throw new ParseError("expected 'dev IFNAME' after the address", line.no, line.text);
  const entry: NeighEntry = { address, dev, lladdr: null, router: false, states: [], line: line.no };
  for (let i = 3; i < tokens.length; i++) {
    const word = tokens[i];
    if (word === 'lladdr') {
      const mac = tokens[i + 1];
      if (mac === undefined || !/^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(mac)) throw new ParseError('expected a link-layer address after lladdr', line.no, line.text);
      entry.lladdr = mac.toLowerCase();
      i++;
    } else if (FLAGS.has(word)) {
      if (word === 'router') entry.router = true;
    } else if (isState(word)) {
      entry.states.push(word);
    } else {
      throw new ParseError(`unknown neighbour keyword '${word}'`, line.no, line.text);
    }
  }
  if (entry.states.length === 0) throw new ParseError('expected a state (REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, PERMANENT, NOARP)', line.no, line.text);
  return entry;
}

export function parseIpNeigh(text: string): IpNeighResult {
  return { format: 'ip-neigh', entries: contentLines(text).map(parseEntry) };
}

/** The kernel holds a MAC for the entry and sends with it at once (it may be checking it: DELAY, PROBE). */
export function holdsMac(entry: NeighEntry): boolean {
  return entry.lladdr !== null && entry.states.some((s) => s === 'REACHABLE' || s === 'STALE' || s === 'DELAY' || s === 'PROBE' || s === 'PERMANENT' || s === 'NOARP');
}

export const ipNeighParser: TextParser<IpNeighResult> = {
  id: 'ip-neigh',
  description: 'ip neigh [show] / ip -4 neigh (the neighbour table: ARP entries and their states)',
  kind: 'text',
  parse: parseIpNeigh,
};
