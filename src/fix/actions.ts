// The write path starts here: a fix command, as a diagnosis printed it, becomes a typed action
// or is set aside with the reason. Only a closed grammar is accepted (sysctl -w, ip route
// add/replace, ip route flush cache, ip addr add, iptables -A/-D, nft delete rule, ipvsadm
// -A/-a/-e, modprobe); every value in it is validated again, and the argv that will run is
// rebuilt from the validated values, never from the printed text.
import { isPlainShellCommand } from '../engine/fix-guard.js';
import { interfaceName, ipAddress, ipv4Address, positiveInt, ProbeValidationError, sysctlName } from '../probes/validate.js';

export type ServiceFlag = '-t' | '-u' | '-f';
export type IpvsForward = '-m' | '-g' | '-i';

export type FixAction =
  | { kind: 'sysctl'; name: string; value: string }
  | { kind: 'route'; verb: 'add' | 'replace'; destination: string; via: string | null; dev: string | null }
  | { kind: 'route-flush-cache' }
  | { kind: 'address'; address: string; prefix: number; dev: string }
  | { kind: 'iptables-delete' | 'iptables-append'; table: string; chain: string; spec: string[] }
  | { kind: 'nft-delete'; family: string; table: string; chain: string; handle: number }
  | { kind: 'ipvs-service-add'; service: [ServiceFlag, string]; scheduler: string }
  | { kind: 'ipvs-real-add' | 'ipvs-real-edit'; service: [ServiceFlag, string]; real: string; forward: IpvsForward; weight: number }
  | { kind: 'modprobe'; module: string };

/** What one printed command is, for the write path. */
export type Classified =
  | { kind: 'action'; action: FixAction }
  /** A read for the operator (ip route get, ss, iptables-save...): shown, not run. */
  | { kind: 'look'; why: string }
  /** Boot configuration (a file under /etc): left to the operator, said so. */
  | { kind: 'boot-config'; why: string }
  | { kind: 'refused'; why: string; placeholder?: true };

/** Words a diagnosis prints where it could not fill a value in. */
const PLACEHOLDERS = new Set(['DEV', 'DIP', 'RIP', 'VIP', 'CIP', 'HANDLE', 'PORT']);
const PLAIN_WORD = /^[A-Za-z0-9_.:/,=+@%!-]+$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const IPTABLES_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);
const SYSCTL_VALUE = /^-?[0-9]{1,12}$/;

class Refusal extends Error {}

/** Splits a command the way fix-guard admits it: plain words and '...' quoted words. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  for (const c of command) {
    if (quoted) {
      if (c === "'") quoted = false;
      else current += c;
    } else if (c === "'") {
      quoted = true;
      started = true;
    } else if (c === ' ') {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quoted) throw new Refusal('an unclosed quote');
  if (started) words.push(current);
  return words;
}

function checked<T>(what: () => T): T {
  try {
    return what();
  } catch (err) {
    if (err instanceof ProbeValidationError) throw new Refusal(err.message);
    throw err;
  }
}

function plain(word: string | undefined, what: string): string {
  if (word === undefined || !PLAIN_WORD.test(word)) throw new Refusal(`${what} is not a plain word: ${JSON.stringify(word ?? '')}`);
  return word;
}

function name(word: string | undefined, what: string): string {
  if (word === undefined || !NAME.test(word)) throw new Refusal(`invalid ${what}: ${JSON.stringify(word ?? '')}`);
  return word;
}

/** `A.B.C.D/LEN`, `A.B.C.D` (a host route) or `default`. */
function routeDestination(word: string | undefined): string {
  if (word === 'default') return word;
  const [addr, len, extra] = (word ?? '').split('/');
  if (extra !== undefined) throw new Refusal(`invalid route destination: ${JSON.stringify(word)}`);
  checked(() => ipv4Address(addr));
  if (len !== undefined) checked(() => positiveInt('prefix length', Number(len), 32));
  return word!;
}

function serviceKey(flag: string | undefined, value: string | undefined): [ServiceFlag, string] {
  if (flag === '-f') return ['-f', String(checked(() => positiveInt('firewall mark', Number(value), 0xffffffff)))];
  if (flag !== '-t' && flag !== '-u') throw new Refusal(`ipvsadm: expected -t, -u or -f, not ${JSON.stringify(flag ?? '')}`);
  return [flag, endpoint(value)];
}

/** `ADDR:PORT` (IPv4 only: `[v6]:port` is not written by any check). */
function endpoint(value: string | undefined): string {
  const m = /^([0-9.]+):([0-9]+)$/.exec(value ?? '');
  if (!m) throw new Refusal(`ipvsadm: expected ADDR:PORT, not ${JSON.stringify(value ?? '')}`);
  checked(() => ipv4Address(m[1]));
  checked(() => positiveInt('port', Number(m[2]), 65535));
  return value!;
}

function weight(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new Refusal(`invalid weight ${JSON.stringify(value)}`);
  return Number(value);
}

/** `-k v -k v ...` pairs: each option at most once, in any order. */
function options(words: string[], allowed: readonly string[], bare: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (bare.includes(w)) {
      if (out.has(w)) throw new Refusal(`${w} given twice`);
      out.set(w, '');
      continue;
    }
    if (!allowed.includes(w) || out.has(w) || words[i + 1] === undefined) throw new Refusal(`unexpected word ${JSON.stringify(w)}`);
    out.set(w, words[++i]);
  }
  return out;
}

function ipCommand(w: string[]): Classified {
  const [object, verb, ...rest] = w.slice(1);
  if (object === '-o' || (object === 'route' && verb === 'get') || (object === 'addr' && verb === 'show') || object === 'link') return { kind: 'look', why: 'a read for you to check by eye' };
  if (object === 'route' && verb === 'flush' && rest.length === 1 && rest[0] === 'cache') return { kind: 'action', action: { kind: 'route-flush-cache' } };
  if (object === 'route' && (verb === 'add' || verb === 'replace')) {
    const destination = routeDestination(rest[0]);
    const o = options(rest.slice(1), ['via', 'dev']);
    const via = o.has('via') ? checked(() => ipAddress(o.get('via'))) : null;
    const dev = o.has('dev') ? checked(() => interfaceName(o.get('dev'))) : null;
    if (!via && !dev) throw new Refusal('a route needs via or dev');
    return { kind: 'action', action: { kind: 'route', verb, destination, via, dev } };
  }
  if (object === 'addr' && verb === 'add') {
    const [addr, len, extra] = (rest[0] ?? '').split('/');
    if (extra !== undefined || len === undefined) throw new Refusal(`expected ADDR/LEN, not ${JSON.stringify(rest[0] ?? '')}`);
    const o = options(rest.slice(1), ['dev']);
    if (!o.has('dev')) throw new Refusal('ip addr add needs dev');
    return { kind: 'action', action: { kind: 'address', address: checked(() => ipv4Address(addr)), prefix: checked(() => positiveInt('prefix length', Number(len), 32)), dev: checked(() => interfaceName(o.get('dev'))) } };
  }
  throw new Refusal(`not an ip command lvs-doctor can undo: ip ${[object, verb].filter(Boolean).join(' ')}`);
}

function iptablesCommand(w: string[]): Classified {
  let i = 1;
  let table = 'filter';
  if (w[i] === '-t') {
    table = w[i + 1] ?? '';
    i += 2;
  }
  if (!IPTABLES_TABLES.has(table)) throw new Refusal(`unknown iptables table ${JSON.stringify(table)}`);
  const op = w[i];
  if (op !== '-A' && op !== '-D') throw new Refusal(`iptables ${op ?? ''}: only -A (append) and -D (delete) rules can be undone`);
  const chain = name(w[i + 1], 'chain name');
  const spec = w.slice(i + 2).map((x) => plain(x, 'a rule word'));
  if (spec.length === 0 || spec.some((x) => /^-[ADIRFZNXP]$/.test(x))) throw new Refusal('an iptables rule must be one rule specification');
  return { kind: 'action', action: { kind: op === '-A' ? 'iptables-append' : 'iptables-delete', table, chain, spec } };
}

function nftCommand(w: string[]): Classified {
  if (w[1] === 'list' || (w[1] === '-a' && w[2] === 'list')) return { kind: 'look', why: 'a read for you to check by eye' };
  if (w[1] !== 'delete' || w[2] !== 'rule' || w[6] !== 'handle' || w.length !== 8) throw new Refusal('nft: only `nft delete rule FAMILY TABLE CHAIN handle N` can be undone');
  return { kind: 'action', action: { kind: 'nft-delete', family: name(w[3], 'nft family'), table: name(w[4], 'nft table'), chain: name(w[5], 'nft chain'), handle: checked(() => positiveInt('nft handle', Number(w[7]), 2 ** 31)) } };
}

function ipvsadmCommand(w: string[]): Classified {
  const op = w[1];
  const service = serviceKey(w[2], w[3]);
  if (op === '-A') {
    const o = options(w.slice(4), ['-s']);
    return { kind: 'action', action: { kind: 'ipvs-service-add', service, scheduler: name(o.get('-s') ?? 'wlc', 'scheduler') } };
  }
  if (op === '-a' || op === '-e') {
    const o = options(w.slice(4), ['-r', '-w'], ['-m', '-g', '-i']);
    const forwards = (['-m', '-g', '-i'] as const).filter((f) => o.has(f));
    if (forwards.length > 1) throw new Refusal('ipvsadm: more than one forwarding method');
    return {
      kind: 'action',
      action: { kind: op === '-a' ? 'ipvs-real-add' : 'ipvs-real-edit', service, real: endpoint(o.get('-r')), forward: forwards[0] ?? '-g', weight: weight(o.get('-w') ?? '1') },
    };
  }
  throw new Refusal(`ipvsadm ${op ?? ''}: only -A, -a and -e can be undone`);
}

function classifyWords(w: string[]): Classified {
  const placeholder = w.find((x) => PLACEHOLDERS.has(x));
  if (placeholder) return { kind: 'refused', why: `it holds the placeholder ${placeholder}, a value the diagnosis could not read: fill it in by hand`, placeholder: true };
  switch (w[0]) {
    case 'sysctl': {
      const m = w.length === 3 && w[1] === '-w' ? /^([^=]+)=(.*)$/.exec(w[2]) : null;
      if (!m) throw new Refusal('sysctl: only `sysctl -w NAME=VALUE`');
      if (!SYSCTL_VALUE.test(m[2])) throw new Refusal(`sysctl value ${JSON.stringify(m[2])} is not a number`);
      return { kind: 'action', action: { kind: 'sysctl', name: checked(() => sysctlName(m[1])), value: m[2] } };
    }
    case 'ip':
      return ipCommand(w);
    case 'iptables':
      return iptablesCommand(w);
    case 'nft':
      return nftCommand(w);
    case 'ipvsadm':
      return ipvsadmCommand(w);
    case 'modprobe':
      if (w.length !== 2) throw new Refusal('modprobe: one module, no option');
      return { kind: 'action', action: { kind: 'modprobe', module: name(w[1], 'module name') } };
    case 'ss':
    case 'iptables-save':
    case 'ping':
    case 'conntrack':
      return { kind: 'look', why: 'a read for you to check by eye' };
    case 'echo':
      if (w.length === 4 && w[2] === '>' && /^\/etc\//.test(w[3])) return { kind: 'boot-config', why: `writes ${w[3]} (boot configuration): lvs-doctor changes the running state only; add it yourself once the fix is verified` };
      break;
  }
  return { kind: 'refused', why: `lvs-doctor does not know how to undo \`${w[0] ?? ''}\`` };
}

/** What a printed fix command is; never throws. */
export function classifyCommand(command: string): Classified {
  if (command.trimStart().startsWith('#')) return { kind: 'refused', why: 'the command was withheld (a value in it, read from a host, is not a plain word)' };
  if (!isPlainShellCommand(command)) return { kind: 'refused', why: 'not a plain command (fix-guard)' };
  try {
    return classifyWords(splitWords(command.trim()));
  } catch (err) {
    if (err instanceof Refusal) return { kind: 'refused', why: err.message };
    throw err;
  }
}
