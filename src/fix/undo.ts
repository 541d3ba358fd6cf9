// For each kind of fix action: the argv that applies it, what is read first (and saved for the
// rollback and the audit), and the rollback built from what was read. A rollback that cannot be
// built from a reading (the rule is not there, two routes compete, the reading failed) refuses
// the whole fix before anything runs: a fix that cannot be undone is not applied.
import { parseIpAddr } from '../parsers/ip-addr.js';
import { parseIpRoute } from '../parsers/ip-route.js';
import { parseIpvsadm } from '../parsers/ipvsadm.js';
import { iptablesSaveParser } from '../parsers/iptables-save.js';
import { escapeControls } from '../util/control-chars.js';
import type { FixAction } from './actions.js';

/** One read run before the fix, kept in the state file and the audit bundle. */
export interface Saved {
  argv: string[];
  output: string;
  exitCode: number;
}

export interface Rollback {
  commands: string[][];
  /** What was saved, in words ("net.ipv4.ip_forward was 0"). */
  note: string;
}

export class UndoRefusal extends Error {
  override readonly name = 'UndoRefusal';
}

const PLAIN_WORD = /^[A-Za-z0-9_.:/,=+@%!-]+$/;
/** Route flags iproute2 prints as state; `ip route replace` does not take them. */
const STATE_FLAGS = new Set(['linkdown', 'dead', 'offload', 'trap', 'rt_offload', 'rt_trap', 'rt_offload_failed', 'pervasive', 'notify', 'unresolved']);
const NFT_RULE = /^[A-Za-z0-9_.:/,=+@%!\- "{}<>[\]]{1,1000}$/;

export function applyArgv(a: FixAction): string[] {
  switch (a.kind) {
    case 'sysctl':
      return ['sysctl', '-w', `${a.name}=${a.value}`];
    case 'route':
      return ['ip', 'route', a.verb, a.destination, ...(a.via ? ['via', a.via] : []), ...(a.dev ? ['dev', a.dev] : [])];
    case 'route-flush-cache':
      return ['ip', 'route', 'flush', 'cache'];
    case 'address':
      return ['ip', 'addr', 'add', `${a.address}/${a.prefix}`, 'dev', a.dev];
    case 'iptables-append':
    case 'iptables-delete':
      return ['iptables', '-t', a.table, a.kind === 'iptables-append' ? '-A' : '-D', a.chain, ...a.spec];
    case 'nft-delete':
      return ['nft', 'delete', 'rule', a.family, a.table, a.chain, 'handle', String(a.handle)];
    case 'ipvs-service-add':
      return ['ipvsadm', '-A', ...a.service, '-s', a.scheduler];
    case 'ipvs-real-add':
    case 'ipvs-real-edit':
      return ['ipvsadm', a.kind === 'ipvs-real-add' ? '-a' : '-e', ...a.service, '-r', a.real, a.forward, '-w', String(a.weight)];
    case 'modprobe':
      return ['modprobe', a.module];
  }
}

/** What is read before the action runs. */
export function readsFor(a: FixAction): string[][] {
  switch (a.kind) {
    case 'sysctl':
      return [['sysctl', '-n', a.name]];
    case 'route':
      return [['ip', 'route', 'show', 'exact', a.destination]];
    case 'route-flush-cache':
      return [];
    case 'address':
      return [['ip', '-o', 'addr', 'show', 'dev', a.dev]];
    case 'iptables-append':
    case 'iptables-delete':
      return [['iptables-save', '-t', a.table]];
    case 'nft-delete':
      return [['nft', '-a', 'list', 'chain', a.family, a.table, a.chain]];
    case 'ipvs-service-add':
    case 'ipvs-real-add':
    case 'ipvs-real-edit':
      return [['ipvsadm', '-Ln']];
    case 'modprobe':
      return [['cat', '/proc/modules']];
  }
}

function readOk(saved: Saved[], index = 0): string {
  const s = saved[index];
  if (!s) throw new UndoRefusal('the current state was not read');
  if (s.exitCode !== 0) throw new UndoRefusal(`\`${s.argv.join(' ')}\` failed (exit ${s.exitCode}): the current state is unknown`);
  if (escapeControls(s.output) !== s.output) throw new UndoRefusal(`\`${s.argv.join(' ')}\` printed control characters`);
  return s.output;
}

function sysctlRollback(a: Extract<FixAction, { kind: 'sysctl' }>, saved: Saved[]): Rollback {
  const old = readOk(saved).trim();
  if (!/^-?[0-9]+([ \t]+-?[0-9]+)*$/.test(old)) throw new UndoRefusal(`${a.name} reads ${JSON.stringify(old.slice(0, 40))}, not a number to restore`);
  const value = old.replace(/[ \t]+/g, ' ');
  return { commands: [['sysctl', '-w', `${a.name}=${value}`]], note: `${a.name} was ${value}` };
}

function routeRollback(a: Extract<FixAction, { kind: 'route' }>, saved: Saved[]): Rollback {
  const text = readOk(saved);
  const routes = parseIpRoute(text).routes.filter((r) => r.metric === null || r.metric === 0);
  const added = applyArgv(a).slice(3);
  if (routes.length === 0) return { commands: [['ip', 'route', 'del', ...added]], note: `no route ${a.destination} before: the new one is deleted` };
  if (routes.length > 1) throw new UndoRefusal(`${routes.length} routes ${a.destination} of metric 0 (several next hops or types): which one the fix replaces is not certain`);
  const lines = text.split('\n');
  const words = lines[routes[0].line - 1].trim().split(/\s+/).filter((w) => !STATE_FLAGS.has(w));
  const odd = words.find((w) => !PLAIN_WORD.test(w));
  if (odd !== undefined) throw new UndoRefusal(`the current route holds ${JSON.stringify(odd)}, not a plain word`);
  return { commands: [['ip', 'route', 'replace', ...words]], note: `the route was: ${words.join(' ')}` };
}

function addressRollback(a: Extract<FixAction, { kind: 'address' }>, saved: Saved[]): Rollback {
  const held = parseIpAddr(readOk(saved)).addresses;
  if (held.some((x) => x.address === a.address)) throw new UndoRefusal(`${a.dev} already holds ${a.address}: nothing to add`);
  return { commands: [['ip', 'addr', 'del', `${a.address}/${a.prefix}`, 'dev', a.dev]], note: `${a.dev} did not hold ${a.address}` };
}

function iptablesRollback(a: Extract<FixAction, { kind: 'iptables-append' | 'iptables-delete' }>, saved: Saved[]): Rollback {
  const save = iptablesSaveParser.parse(readOk(saved));
  const chain = save.tables.find((t) => t.name === a.table)?.chains.find((c) => c.name === a.chain);
  if (!chain) throw new UndoRefusal(`no chain ${a.chain} in table ${a.table}`);
  if (a.kind === 'iptables-append') {
    return { commands: [['iptables', '-t', a.table, '-D', a.chain, ...a.spec]], note: `${a.table} ${a.chain} had ${chain.rules.length} rule(s); the appended one is deleted` };
  }
  const wanted = a.spec.join(' ');
  const index = chain.rules.findIndex((r) => r.text.trim().split(/\s+/).slice(2).join(' ') === wanted);
  if (index < 0) throw new UndoRefusal(`the rule is not in ${a.table} ${a.chain} (already removed?)`);
  return { commands: [['iptables', '-t', a.table, '-I', a.chain, String(index + 1), ...a.spec]], note: `the rule was number ${index + 1} of ${a.table} ${a.chain}` };
}

function nftRollback(a: Extract<FixAction, { kind: 'nft-delete' }>, saved: Saved[]): Rollback {
  const handles = readOk(saved)
    .split('\n')
    .map((l) => /^\s*(.*?)\s+# handle (\d+)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[1].endsWith('{'));
  const at = handles.findIndex((m) => Number(m[2]) === a.handle);
  if (at < 0) throw new UndoRefusal(`no rule with handle ${a.handle} in ${a.family} ${a.table} ${a.chain}`);
  const rule = handles[at][1];
  if (!NFT_RULE.test(rule)) throw new UndoRefusal(`the rule of handle ${a.handle} holds characters lvs-doctor does not pass back to nft`);
  const where = [a.family, a.table, a.chain];
  const command = at === 0 ? ['nft', 'insert', 'rule', ...where, rule] : ['nft', 'add', 'rule', ...where, 'position', handles[at - 1][2], rule];
  return { commands: [command], note: `the rule was: ${rule} (${at === 0 ? 'first in the chain' : `after handle ${handles[at - 1][2]}`})` };
}

const FORWARD_FLAG: Record<string, string> = { Masq: '-m', Route: '-g', Local: '-g', Tunnel: '-i' };

function ipvsRollback(a: Extract<FixAction, { kind: 'ipvs-service-add' | 'ipvs-real-add' | 'ipvs-real-edit' }>, saved: Saved[]): Rollback {
  const listing = parseIpvsadm(readOk(saved));
  if (listing.format !== 'ipvsadm') throw new UndoRefusal('ipvsadm -Ln did not print a listing');
  const [flag, key] = a.service;
  const protocol = flag === '-t' ? 'TCP' : flag === '-u' ? 'UDP' : 'FWM';
  const service = listing.services.find((s) => s.protocol === protocol && (flag === '-f' ? String(s.fwmark) === key : `${s.address}:${s.port}` === key));
  if (a.kind === 'ipvs-service-add') {
    if (service) throw new UndoRefusal(`the service ${key} exists already`);
    return { commands: [['ipvsadm', '-D', flag, key]], note: `no service ${key} before: it is deleted` };
  }
  const dest = service?.destinations.find((d) => `${d.address}:${d.port}` === a.real);
  if (a.kind === 'ipvs-real-add') {
    if (dest) throw new UndoRefusal(`${a.real} is in the service ${key} already`);
    return { commands: [['ipvsadm', '-d', flag, key, '-r', a.real]], note: `${a.real} was not in the service ${key}: it is removed` };
  }
  if (!dest || dest.truncated || dest.forward === null || dest.weight === null) throw new UndoRefusal(`${a.real} of the service ${key} is not in ipvsadm -Ln (or its line was cut)`);
  return {
    commands: [['ipvsadm', '-e', flag, key, '-r', a.real, FORWARD_FLAG[dest.forward], '-w', String(dest.weight)]],
    note: `${a.real} was ${dest.forward}, weight ${dest.weight}`,
  };
}

function modprobeRollback(a: Extract<FixAction, { kind: 'modprobe' }>, saved: Saved[]): Rollback {
  const loaded = readOk(saved).split('\n').some((l) => l.split(' ')[0] === a.module);
  return loaded ? { commands: [], note: `${a.module} was loaded already: nothing to undo` } : { commands: [['modprobe', '-r', a.module]], note: `${a.module} was not loaded: it is unloaded` };
}

/** The rollback of an action from what was read before it; throws UndoRefusal. */
export function buildRollback(a: FixAction, saved: Saved[]): Rollback {
  try {
    switch (a.kind) {
      case 'sysctl':
        return sysctlRollback(a, saved);
      case 'route':
        return routeRollback(a, saved);
      case 'route-flush-cache':
        return { commands: [], note: 'nothing to restore: the kernel rebuilds its route cache (what it forgot, a cached redirect, stays forgotten)' };
      case 'address':
        return addressRollback(a, saved);
      case 'iptables-append':
      case 'iptables-delete':
        return iptablesRollback(a, saved);
      case 'nft-delete':
        return nftRollback(a, saved);
      case 'ipvs-service-add':
      case 'ipvs-real-add':
      case 'ipvs-real-edit':
        return ipvsRollback(a, saved);
      case 'modprobe':
        return modprobeRollback(a, saved);
    }
  } catch (err) {
    if (err instanceof UndoRefusal) throw err;
    // A ParseError of the reading: what the host printed is not what a rollback can rest on.
    throw new UndoRefusal(`the current state could not be read: ${(err as Error).message}`);
  }
}
