// The inventory YAML: who is the director, the client, the realservers, and how each is
// reached. Every error names the line and the field, because a person wrote this file at 3 a.m.
import { LineCounter, parseDocument, isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import type { AccessMethod, ClientSpec, DirectorSpec, RealserverSpec, SshTarget, Topology } from '../model/topology.js';
import { isIP } from '../util/ip.js';

export class InventoryError extends Error {
  override readonly name = 'InventoryError';
  constructor(readonly file: string, readonly line: number, readonly field: string, readonly detail: string) {
    super(`${file}:${line}: ${field}: ${detail}`);
  }
}

export interface Inventory {
  topology: Topology;
  /** ssh config file (-F) for every host, e.g. the lab's. */
  sshConfig?: string;
}

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const SSH_HOST = /^[A-Za-z0-9_.:%-]{1,253}$/;
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;
const SSH_JUMP = /^[A-Za-z0-9_.@:,%-]{1,253}$/;
const IFACE = /^[A-Za-z0-9_.@:-]{1,15}$/;

export function parseInventory(text: string, file = 'inventory.yaml'): Inventory {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line ?? 1;
    throw new InventoryError(file, line, '(yaml)', err.message.split('\n')[0]);
  }
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const root = doc.contents;
  if (!isMap(root)) throw new InventoryError(file, lineOf(root), '(document)', 'expected a mapping with service, director, client, realservers');
  const fail = (node: Node | null | undefined, field: string, detail: string): never => {
    throw new InventoryError(file, lineOf(node), field, detail);
  };
  const get = (map: YAMLMap, key: string): Node | undefined => map.get(key, true) as Node | undefined;
  const scalar = (map: YAMLMap, key: string, field: string, required: boolean): unknown => {
    const node = get(map, key);
    if (node === undefined) {
      if (required) fail(map, field, 'is required');
      return undefined;
    }
    if (isMap(node) || isSeq(node)) fail(node, field, 'expected a single value');
    return (node as unknown as { value: unknown }).value;
  };
  const str = (map: YAMLMap, key: string, field: string, required: boolean, pattern?: RegExp, what?: string): string | undefined => {
    const value = scalar(map, key, field, required);
    if (value === undefined || value === null) return required ? fail(map, field, 'is required') : undefined;
    const text = String(value);
    if (pattern && !pattern.test(text)) fail(get(map, key), field, `'${text}' is not ${what ?? 'valid'}`);
    return text;
  };
  const address = (map: YAMLMap, key: string, field: string, required: boolean): string | undefined => {
    const value = str(map, key, field, required);
    if (value !== undefined && !isIP(value)) fail(get(map, key), field, `'${value}' is not an IPv4 or IPv6 address`);
    return value;
  };
  const port = (map: YAMLMap, key: string, field: string, required: boolean): number | undefined => {
    const value = scalar(map, key, field, required);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) fail(get(map, key), field, `'${String(value)}' is not a port (1-65535)`);
    return n;
  };
  const mapAt = (map: YAMLMap, key: string, field: string, required: boolean): YAMLMap | undefined => {
    const node = get(map, key);
    if (node === undefined) return required ? fail(map, field, 'is required') : undefined;
    if (!isMap(node)) fail(node, field, 'expected a mapping');
    return node as YAMLMap;
  };

  const sshConfig = str(root, 'sshConfig', 'sshConfig', false, /^[^\0\n]+$/, 'a file path');

  const svc = mapAt(root, 'service', 'service', true)!;
  const protocol = (str(svc, 'protocol', 'service.protocol', false) ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') fail(get(svc, 'protocol'), 'service.protocol', `'${protocol}' is not TCP, UDP or SCTP`);
  const vip = address(svc, 'vip', 'service.vip', true)!;
  const vport = port(svc, 'vport', 'service.vport', true)!;
  const fwmarkRaw = scalar(svc, 'fwmark', 'service.fwmark', false);
  const fwmark = fwmarkRaw === undefined ? undefined : Number(fwmarkRaw);
  if (fwmark !== undefined && (!Number.isInteger(fwmark) || fwmark < 0)) fail(get(svc, 'fwmark'), 'service.fwmark', 'expected a non-negative integer');

  const host = (map: YAMLMap, field: string, defaultName: string): { name: string; access: AccessMethod; ssh?: SshTarget; os?: string } => {
    const name = str(map, 'name', `${field}.name`, false, HOST_NAME, 'a host name') ?? defaultName;
    const sshMap = mapAt(map, 'ssh', `${field}.ssh`, false);
    const accessText = str(map, 'access', `${field}.access`, false);
    if (accessText !== undefined && !['ssh', 'local', 'none'].includes(accessText)) {
      fail(get(map, 'access'), `${field}.access`, `'${accessText}' is not ssh, local or none`);
    }
    const access = (accessText ?? (sshMap ? 'ssh' : 'none')) as AccessMethod;
    if (access === 'ssh' && !sshMap) fail(map, `${field}.ssh`, 'is required when access is ssh');
    let ssh: SshTarget | undefined;
    if (sshMap) {
      ssh = {
        host: str(sshMap, 'host', `${field}.ssh.host`, true, SSH_HOST, 'an ssh host name')!,
        user: str(sshMap, 'user', `${field}.ssh.user`, false, SSH_USER, 'a user name'),
        port: port(sshMap, 'port', `${field}.ssh.port`, false),
        identityFile: str(sshMap, 'identityFile', `${field}.ssh.identityFile`, false, /^[^\0\n]+$/, 'a file path'),
        jump: str(sshMap, 'jump', `${field}.ssh.jump`, false, SSH_JUMP, 'a ProxyJump spec'),
        configFile: sshConfig,
      };
      const sudo = scalar(sshMap, 'sudo', `${field}.ssh.sudo`, false);
      if (sudo !== undefined) {
        if (typeof sudo !== 'boolean') fail(get(sshMap, 'sudo'), `${field}.ssh.sudo`, 'expected true or false');
        ssh.sudo = sudo as boolean;
      }
      for (const key of Object.keys(ssh) as (keyof SshTarget)[]) if (ssh[key] === undefined) delete ssh[key];
    }
    const os = str(map, 'os', `${field}.os`, false);
    return { name, access, ...(ssh ? { ssh } : {}), ...(os ? { os } : {}) };
  };

  const dirMap = mapAt(root, 'director', 'director', true)!;
  const director: DirectorSpec = {
    ...host(dirMap, 'director', 'director'),
    role: 'director',
    ext: str(dirMap, 'ext', 'director.ext', false, IFACE, 'an interface name'),
    int: str(dirMap, 'int', 'director.int', false, IFACE, 'an interface name'),
    dip: address(dirMap, 'dip', 'director.dip', false),
  };
  const clientMap = mapAt(root, 'client', 'client', false);
  const client: ClientSpec = clientMap
    ? { ...host(clientMap, 'client', 'client'), role: 'client', cip: address(clientMap, 'cip', 'client.cip', false) }
    : { name: 'client', role: 'client', access: 'local' };

  const rsNode = get(root, 'realservers');
  const realservers: RealserverSpec[] = [];
  if (rsNode !== undefined) {
    if (!isSeq(rsNode)) fail(rsNode, 'realservers', 'expected a list');
    (rsNode as unknown as { items: Node[] }).items.forEach((item, i) => {
      const field = `realservers[${i}]`;
      if (!isMap(item)) fail(item, field, 'expected a mapping with name, rip, rport');
      const m = item as YAMLMap;
      realservers.push({
        ...host(m, field, `rs${i + 1}`),
        role: 'realserver',
        rip: address(m, 'rip', `${field}.rip`, true)!,
        rport: port(m, 'rport', `${field}.rport`, false) ?? vport,
      });
    });
  }
  const names = new Set<string>();
  for (const h of [director, client, ...realservers]) {
    if (names.has(h.name)) fail(root, 'name', `host name '${h.name}' is used twice`);
    names.add(h.name);
  }
  for (const key of ['ext', 'int', 'dip'] as const) if (director[key] === undefined) delete director[key];
  if (client.cip === undefined) delete client.cip;
  const service: Topology['service'] = { protocol: protocol as 'TCP' | 'UDP' | 'SCTP', vip, vport, ...(fwmark !== undefined ? { fwmark } : {}) };
  return { topology: { service, director, client, realservers }, ...(sshConfig ? { sshConfig } : {}) };
}
