// The inventory YAML (read back by src/discover/inventory.ts) for a discovered topology:
// one flow mapping per host so that it reads like the README's example and is easy to edit.
import { parse } from 'yaml';
import type { HostSpec, RealserverSpec, SshTarget, Topology } from '../model/topology.js';

type Flow = [string, string | number | boolean | Flow | undefined][];

const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_.\/@%+-]*$/;

function scalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  // Plain only when YAML reads it back as this very string (not a number, bool or null, no flow syntax).
  return PLAIN.test(value) && parse(value) === value ? value : JSON.stringify(value);
}

function flow(entries: Flow): string {
  const parts = entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${Array.isArray(v) ? flow(v) : scalar(v as string | number | boolean)}`);
  return `{ ${parts.join(', ')} }`;
}

function sshFlow(ssh: SshTarget | undefined): Flow | undefined {
  if (!ssh) return undefined;
  return [
    ['host', ssh.host],
    ['user', ssh.user],
    ['port', ssh.port],
    ['identityFile', ssh.identityFile],
    ['jump', ssh.jump],
    ['sudo', ssh.sudo],
  ];
}

/** access is left out only where the loader infers it: ssh from an ssh block. */
function access(h: HostSpec): string | undefined {
  if (h.access === 'ssh' && h.ssh) return undefined;
  return h.access;
}

export interface InventoryYamlOptions {
  sshConfig?: string;
  /** Printed as comments at the top: what discovery could not settle. */
  notes?: string[];
}

export function inventoryToYaml(topology: Topology, opts: InventoryYamlOptions = {}): string {
  const { service, director, client, realservers } = topology;
  const lines: string[] = ['# lvs-doctor inventory (written by `lvs-doctor discover`; edit freely)'];
  for (const note of opts.notes ?? []) lines.push(`# note: ${note.replace(/\n/g, ' ')}`);
  if (opts.sshConfig) lines.push(`sshConfig: ${scalar(opts.sshConfig)}`);
  lines.push(`service: ${flow([['protocol', service.protocol], ['vip', service.vip], ['vport', service.vport], ['fwmark', service.fwmark]])}`);
  lines.push(
    `director: ${flow([['name', director.name], ['access', access(director)], ['ssh', sshFlow(director.ssh)], ['os', director.os], ['ext', director.ext], ['int', director.int], ['dip', director.dip]])}`,
  );
  const clientLine = `client: ${flow([['name', client.name], ['access', access(client)], ['ssh', sshFlow(client.ssh)], ['os', client.os], ['cip', client.cip]])}`;
  // This machine was taken because no client was named: written commented out, so the file
  // keeps saying so (its failures to reach the VIP are then unproven, not a client fault).
  lines.push(client.implicit ? `# ${clientLine}   # this machine (no --client): uncomment only if it is on the client side, or name a client` : clientLine);
  lines.push('realservers:');
  for (const rs of realservers) lines.push(`  - ${realserverFlow(rs)}${rs.access === 'none' ? '   # off-limits: director-only checks' : ''}`);
  if (realservers.length === 0) lines[lines.length - 1] = 'realservers: []';
  return `${lines.join('\n')}\n`;
}

function realserverFlow(rs: RealserverSpec): string {
  return flow([['name', rs.name], ['access', access(rs)], ['ssh', sshFlow(rs.ssh)], ['os', rs.os], ['rip', rs.rip], ['rport', rs.rport]]);
}
