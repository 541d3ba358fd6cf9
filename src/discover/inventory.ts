// The inventory YAML: who is the director, the client, the realservers, and how each is
// reached. Every error names the line and the field, because a person wrote this file at 3 a.m.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, visit, type Node, type YAMLMap } from 'yaml';
import type { AccessMethod, ClientSpec, DirectorSpec, HostOs, RealserverSpec, SshTarget, Topology } from '../model/topology.js';
import { HOST_OSES } from '../model/topology.js';
import { isIP, normalizeIp } from '../util/ip.js';
import { decimalInRange, didYouMean, echoValue, FWMARK_MAX, isFilePath, isHostName, isInterfaceName, isSshHost, isSshJump, isSshUser, PORT_MAX } from '../util/names.js';

export class InventoryError extends Error {
  override readonly name = 'InventoryError';
  constructor(readonly file: string, readonly line: number, readonly field: string, readonly detail: string) {
    super(`${file}:${line}: ${field}: ${detail}`);
  }
}

/** The inventory file cannot be read at all (exit 66, EX_NOINPUT), as opposed to read and wrong. */
export class InventoryFileError extends Error {
  override readonly name = 'InventoryFileError';
}

export interface Inventory {
  topology: Topology;
  /** ssh config file (-F) for every host, e.g. the lab's. */
  sshConfig?: string;
}

/** A hand-written inventory of a few hundred realservers is tens of kilobytes. */
export const INVENTORY_MAX_BYTES = 1024 * 1024;

/** Reads an inventory file, bounded: a missing file and a huge one are clear errors, not ENOENT or 2 GB. */
export function readInventoryFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? (err as Error).message);
    throw new InventoryFileError(`cannot read the inventory ${path}: ${why} (lvs-doctor discover --director HOST > ${path} writes one)`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InventoryFileError(`cannot read the inventory ${path}: is a directory`);
    if (stat.size > INVENTORY_MAX_BYTES) throw new InventoryError(path, 1, '(file)', `is ${stat.size} bytes; an inventory is at most ${INVENTORY_MAX_BYTES} bytes`);
    // Read one byte more than the cap: a file that grows (or a FIFO) is still bounded.
    const buf = Buffer.alloc(INVENTORY_MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > INVENTORY_MAX_BYTES) throw new InventoryError(path, 1, '(file)', `is more than ${INVENTORY_MAX_BYTES} bytes; an inventory is at most that`);
    }
    return buf.subarray(0, length).toString('utf8');
  } catch (err) {
    if (err instanceof InventoryError || err instanceof InventoryFileError) throw err;
    throw new InventoryFileError(`cannot read the inventory ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

const HOST_KEYS = ['name', 'access', 'ssh', 'os'];
const KNOWN_KEYS = {
  root: ['sshConfig', 'service', 'director', 'client', 'realservers'],
  service: ['protocol', 'vip', 'vport', 'fwmark'],
  director: [...HOST_KEYS, 'ext', 'int', 'dip'],
  client: [...HOST_KEYS, 'cip'],
  realserver: [...HOST_KEYS, 'rip', 'rport'],
  ssh: ['host', 'user', 'port', 'identityFile', 'jump', 'sudo'],
} as const;

/** The dotted field of a node from its ancestors (director.ssh.host, realservers[2].rip). */
function fieldOf(path: readonly unknown[], last?: unknown): string {
  const parts: string[] = [];
  const chain = last === undefined ? path : [...path, last];
  chain.forEach((node, i) => {
    if (isPair(node) && isScalar(node.key)) parts.push(String(node.key.value));
    else if (isSeq(node)) {
      const index = node.items.indexOf(chain[i + 1] as never);
      if (index >= 0) parts[parts.length - 1] = `${parts[parts.length - 1] ?? ''}[${index}]`;
    }
  });
  return parts.join('.') || '(document)';
}

/** The last { or [ before `end` left open (outside quotes and comments), if any. */
function unclosedFlowAt(text: string, end: number): { offset: number; bracket: '{' | '[' } | undefined {
  const open: { offset: number; bracket: '{' | '[' }[] = [];
  let quote: string | null = null;
  for (let i = 0; i < end && i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s,[{:]/.test(text[i - 1]))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i) - 1;
    else if (c === '{' || c === '[') open.push({ offset: i, bracket: c });
    else if (c === '}' || c === ']') open.pop();
  }
  return open.at(-1);
}

export function parseInventory(text: string, file = 'inventory.yaml'): Inventory {
  if (text.length > INVENTORY_MAX_BYTES) throw new InventoryError(file, 1, '(file)', `is ${text.length} characters; an inventory is at most ${INVENTORY_MAX_BYTES}`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    // The parser stops where it noticed; an unclosed { or [ is reported where it was opened.
    const open = unclosedFlowAt(text, err.pos[0]);
    if (open !== undefined) throw new InventoryError(file, lineCounter.linePos(open.offset).line, '(yaml)', `this '${open.bracket}' is not closed: add '${open.bracket === '{' ? '}' : ']'}' at the end of its entry`);
    throw new InventoryError(file, lineCounter.linePos(err.pos[0]).line, '(yaml)', err.message.split('\n')[0]);
  }
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const fail = (node: Node | null | undefined, field: string, detail: string): never => {
    throw new InventoryError(file, lineOf(node), field, detail);
  };
  // Anchors, aliases and merge keys: the fields below would read an alias as a missing value
  // ("is required"), and a small file of aliases can expand to gigabytes. Say so where it is.
  visit(doc, {
    Alias(_key, node, path) {
      fail(node, fieldOf(path), `YAML aliases (*${echoValue(node.source, 40)}) are not supported: write the values out`);
    },
    Pair(_key, pair, path) {
      if (isScalar(pair.key) && pair.key.value === '<<') fail(pair.key, fieldOf(path, pair), 'YAML merge keys (<<) are not supported: write the values out');
    },
  });
  const root = doc.contents;
  if (!isMap(root)) fail(root, '(document)', 'expected a mapping with service, director, client, realservers');
  const get = (map: YAMLMap, key: string): Node | undefined => map.get(key, true) as Node | undefined;
  const onlyKnownKeys = (map: YAMLMap, known: readonly string[], field: string): void => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && known.includes(key)) continue;
      const where = field ? `${field}.` : '';
      if (key === undefined) fail(pair.key as Node, `${where}(key)`, 'expected a plain key');
      const guess = didYouMean(key!, known);
      fail(pair.key as Node, `${where}${echoValue(key!, 40)}`, `unknown key${guess ? `; did you mean '${guess}'?` : ''} (${field || 'the top level'} takes ${known.join(', ')})`);
    }
  };
  const scalar = (map: YAMLMap, key: string, field: string, required: boolean): { value: unknown; source: string } | undefined => {
    const node = get(map, key);
    if (node === undefined) {
      if (required) fail(map, field, 'is required');
      return undefined;
    }
    if (!isScalar(node)) fail(node, field, 'expected a single value');
    const s = node as unknown as { value: unknown; source?: string };
    return { value: s.value, source: s.source ?? String(s.value) };
  };
  const str = (map: YAMLMap, key: string, field: string, required: boolean, valid?: (v: string) => boolean, what?: string): string | undefined => {
    const value = scalar(map, key, field, required)?.value;
    if (value === undefined || value === null) return required ? fail(map, field, 'is required') : undefined;
    const text = String(value);
    if (valid && !valid(text)) fail(get(map, key), field, `'${echoValue(text)}' is not ${what ?? 'valid'}`);
    return text;
  };
  const address = (map: YAMLMap, key: string, field: string, required: boolean): string | undefined => {
    const value = str(map, key, field, required);
    if (value === undefined) return undefined;
    if (!isIP(value)) fail(get(map, key), field, `'${echoValue(value)}' is not an IPv4 or IPv6 address`);
    // One spelling per address (::ffff:10.0.0.1 is 10.0.0.1), as the hosts print it.
    return normalizeIp(value);
  };
  /** Decimal only, written as a number or a quoted string of digits: never hex, octal or 8e1. */
  const integer = (map: YAMLMap, key: string, field: string, required: boolean, min: number, max: number, what: string): number | undefined => {
    const found = scalar(map, key, field, required);
    if (found === undefined) return undefined;
    const text = typeof found.value === 'number' ? found.source : typeof found.value === 'string' ? found.value : '';
    const n = decimalInRange(text, min, max);
    if (n === undefined) fail(get(map, key), field, `'${echoValue(String(found.source))}' is not ${what} (a decimal number from ${min} to ${max})`);
    return n;
  };
  const port = (map: YAMLMap, key: string, field: string, required: boolean): number | undefined =>
    integer(map, key, field, required, 1, PORT_MAX, 'a port');
  const mapAt = (map: YAMLMap, key: string, field: string, required: boolean, known: readonly string[]): YAMLMap | undefined => {
    const node = get(map, key);
    if (node === undefined) return required ? fail(map, field, 'is required') : undefined;
    if (!isMap(node)) fail(node, field, 'expected a mapping');
    onlyKnownKeys(node as YAMLMap, known, field);
    return node as YAMLMap;
  };

  onlyKnownKeys(root as YAMLMap, KNOWN_KEYS.root, '');
  const top = root as YAMLMap;
  const sshConfig = str(top, 'sshConfig', 'sshConfig', false, isFilePath, 'a file path');

  const svc = mapAt(top, 'service', 'service', true, KNOWN_KEYS.service)!;
  const protocol = (str(svc, 'protocol', 'service.protocol', false) ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') fail(get(svc, 'protocol'), 'service.protocol', `'${echoValue(protocol)}' is not TCP, UDP or SCTP`);
  const vip = address(svc, 'vip', 'service.vip', true)!;
  const vport = port(svc, 'vport', 'service.vport', true)!;
  const fwmark = integer(svc, 'fwmark', 'service.fwmark', false, 1, FWMARK_MAX, 'a firewall mark');

  const nameNodes = new Map<string, { node: Node; field: string }>();
  const host = (map: YAMLMap, field: string, defaultName: string): { name: string; access: AccessMethod; ssh?: SshTarget; os?: HostOs } => {
    const name = str(map, 'name', `${field}.name`, false, isHostName, 'a host name') ?? defaultName;
    const nameNode = get(map, 'name') ?? map;
    const first = nameNodes.get(name);
    if (first) fail(nameNode, `${field}.name`, `host name '${name}' is already used by ${first.field} (line ${lineOf(first.node)}); every host needs its own name`);
    nameNodes.set(name, { node: nameNode, field });
    const sshMap = mapAt(map, 'ssh', `${field}.ssh`, false, KNOWN_KEYS.ssh);
    const accessText = str(map, 'access', `${field}.access`, false);
    if (accessText !== undefined && !['ssh', 'local', 'none'].includes(accessText)) {
      fail(get(map, 'access'), `${field}.access`, `'${echoValue(accessText)}' is not ssh, local or none`);
    }
    const access = (accessText ?? (sshMap ? 'ssh' : 'none')) as AccessMethod;
    if (access === 'ssh' && !sshMap) fail(map, `${field}.ssh`, 'is required when access is ssh');
    let ssh: SshTarget | undefined;
    if (sshMap) {
      ssh = {
        host: str(sshMap, 'host', `${field}.ssh.host`, true, isSshHost, 'an ssh host name')!,
        user: str(sshMap, 'user', `${field}.ssh.user`, false, isSshUser, 'a user name'),
        port: port(sshMap, 'port', `${field}.ssh.port`, false),
        identityFile: str(sshMap, 'identityFile', `${field}.ssh.identityFile`, false, isFilePath, 'a file path'),
        jump: str(sshMap, 'jump', `${field}.ssh.jump`, false, isSshJump, 'a ProxyJump spec'),
        configFile: sshConfig,
      };
      const sudo = scalar(sshMap, 'sudo', `${field}.ssh.sudo`, false)?.value;
      if (sudo !== undefined) {
        if (typeof sudo !== 'boolean') fail(get(sshMap, 'sudo'), `${field}.ssh.sudo`, 'expected true or false');
        ssh.sudo = sudo as boolean;
      }
      for (const key of Object.keys(ssh) as (keyof SshTarget)[]) if (ssh[key] === undefined) delete ssh[key];
    }
    const os = str(map, 'os', `${field}.os`, false, (v) => (HOST_OSES as readonly string[]).includes(v.toLowerCase()), `one of ${HOST_OSES.join(', ')}`)?.toLowerCase() as HostOs | undefined;
    return { name, access, ...(ssh ? { ssh } : {}), ...(os ? { os } : {}) };
  };

  const dirMap = mapAt(top, 'director', 'director', true, KNOWN_KEYS.director)!;
  const director: DirectorSpec = {
    ...host(dirMap, 'director', 'director'),
    role: 'director',
    ext: str(dirMap, 'ext', 'director.ext', false, isInterfaceName, 'an interface name'),
    int: str(dirMap, 'int', 'director.int', false, isInterfaceName, 'an interface name'),
    dip: address(dirMap, 'dip', 'director.dip', false),
  };
  const clientMap = mapAt(top, 'client', 'client', false, KNOWN_KEYS.client);
  let client: ClientSpec;
  if (clientMap) client = { ...host(clientMap, 'client', 'client'), role: 'client', cip: address(clientMap, 'cip', 'client.cip', false) };
  else client = { name: 'client', role: 'client', access: 'local', implicit: true };

  const rsNode = get(top, 'realservers');
  const realservers: RealserverSpec[] = [];
  if (rsNode !== undefined) {
    if (!isSeq(rsNode)) fail(rsNode, 'realservers', 'expected a list');
    (rsNode as unknown as { items: Node[] }).items.forEach((item, i) => {
      const field = `realservers[${i}]`;
      if (!isMap(item)) fail(item, field, 'expected a mapping with name, rip, rport');
      const m = item as YAMLMap;
      onlyKnownKeys(m, KNOWN_KEYS.realserver, field);
      realservers.push({
        ...host(m, field, `rs${i + 1}`),
        role: 'realserver',
        rip: address(m, 'rip', `${field}.rip`, true)!,
        rport: port(m, 'rport', `${field}.rport`, false) ?? vport,
      });
    });
  }
  const taken = nameNodes.get('client');
  if (!clientMap && taken) fail(taken.node, `${taken.field}.name`, "'client' names the local client when the inventory has no client entry; call this host otherwise, or add a client");
  for (const key of ['ext', 'int', 'dip'] as const) if (director[key] === undefined) delete director[key];
  if (client.cip === undefined) delete client.cip;
  const service: Topology['service'] = { protocol: protocol as 'TCP' | 'UDP' | 'SCTP', vip, vport, ...(fwmark !== undefined ? { fwmark } : {}) };
  return { topology: { service, director, client, realservers }, ...(sshConfig ? { sshConfig } : {}) };
}
