// What a name or a flag value may look like, in one place: the inventory, the command line and
// the probes all refuse the same values, so a value the inventory accepts never fails later,
// on a host, after the connections are up.
import { escapeControls } from './control-chars.js';

/** A host's name in output and evidence ("director", "rs1"). */
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** A host as ssh knows it: an alias of the user's ssh config, a DNS name or an address. */
const SSH_HOST = /^[A-Za-z0-9_.:%][A-Za-z0-9_.:%-]{0,252}$/;
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;
/** A ProxyJump spec: [user@]host[:port], comma-separated hops. */
const SSH_JUMP = /^[A-Za-z0-9_.@:%[\]][A-Za-z0-9_.@:,%[\]-]{0,252}$/;
/** Linux allows 15 bytes; a leading dash would read as an option, `.`/`..` as a directory. */
const IFACE = /^[A-Za-z0-9_.@:][A-Za-z0-9_.@:-]{0,14}$/;
/** A local file path handed to ssh as one argv element (never through a shell). */
const FILE_PATH = /^[^\0\n\r-][^\0\n\r]{0,4095}$/;

export const isHostName = (v: string): boolean => HOST_NAME.test(v);
export const isSshHost = (v: string): boolean => SSH_HOST.test(v);
export const isSshUser = (v: string): boolean => SSH_USER.test(v);
export const isSshJump = (v: string): boolean => SSH_JUMP.test(v);
export const isFilePath = (v: string): boolean => FILE_PATH.test(v);
export const isInterfaceName = (v: string): boolean => IFACE.test(v) && v !== '.' && v !== '..';

/** Strict decimal only: "0x50", "8e1", "80.0" and " 80" are not port 80. */
export function decimalInRange(text: string, min: number, max: number): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

export const PORT_MAX = 65_535;
/** The kernel's skb->mark is 32 bits; 0 means "no mark", which no fwmark service can match. */
export const FWMARK_MAX = 0xffff_ffff;

/**
 * A value as it may be echoed in an error message: at most `max` characters, control
 * characters made visible, so a pasted 60 MB scalar or an escape sequence stays harmless.
 */
export function echoValue(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
  // An echoed value sits inside a one-line message: tab and newline are escaped too.
  return escapeControls(cut).replace(/[\t\n]/g, (c) => (c === '\t' ? '\\x09' : '\\x0a'));
}

/** Edit distance counting a swap of two neighbours as one edit (rprot -> rport), for "did you mean". */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/** The closest candidate when it is close enough to be a typo (weigth -> weight), else undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(word, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}
