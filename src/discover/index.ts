// Discovery's public face for the CLI: from a director's name (and the usual ssh options) to
// a topology, over real ssh; or from a configuration file. See discover.ts for how.
import type { ConfigDiscoverOptions, ConfigKind } from './from-config.js';
import { configKindOf, discoverFromConfig } from './from-config.js';
import { discoverTopology, directorTarget, type DiscoverOptions, type Discovery } from './discover.js';
import { hostTransport, sshConnect, type HostTransportOptions } from './host-transport.js';
import { DiscoveryError } from './pick-service.js';

export { discoverTopology, discoverFromConfig, configKindOf, DiscoveryError };
export type { Discovery, DiscoverOptions, ConfigKind, ConfigDiscoverOptions, HostTransportOptions };
import { inventoryToYaml } from './inventory-yaml.js';
export { inventoryToYaml };

/** discoverTopology over real ssh: the director's transport is opened and closed here. */
export async function discoverOverSsh(opts: Omit<DiscoverOptions, 'connect'> & HostTransportOptions): Promise<Discovery> {
  const director = { name: opts.directorName ?? 'director', role: 'director' as const, access: 'ssh' as const, ssh: directorTarget(opts) };
  const transport = hostTransport([director], opts);
  try {
    return await discoverTopology(transport, { ...opts, connect: sshConnect(opts) });
  } finally {
    await transport.close();
  }
}

export interface DiscoveryRequest extends Omit<DiscoverOptions, 'connect' | 'director'>, HostTransportOptions {
  /** The director as ssh knows it; without it only the config file is read. */
  director?: string;
  /** A configuration file to read (its text), with its kind or a path to guess it from. */
  config?: { text: string; kind?: ConfigKind; path?: string };
}

/**
 * `lvs-doctor discover`: the live director when given (and, with a config file too, what the
 * file says that the director does not), else the config file alone. Returns the inventory YAML.
 */
export async function runDiscovery(req: DiscoveryRequest): Promise<Discovery & { yaml: string }> {
  const kind = req.config ? (req.config.kind ?? (req.config.path ? configKindOf(req.config.path) : null)) : null;
  if (req.config && !kind) throw new DiscoveryError(`cannot tell the kind of ${req.config.path ?? 'the config file'}: name it keepalived*.conf, ldirectord*.cf or lvs*.conf`);
  let found: Discovery;
  if (req.director) {
    found = await discoverOverSsh({ ...req, director: req.director });
    if (req.config && kind) found.notes.push(...compareWithConfig(found, req.config.text, kind));
  } else if (req.config && kind) {
    found = discoverFromConfig(req.config.text, kind, { vip: req.vip, vport: req.vport, user: req.user });
  } else {
    throw new DiscoveryError('give --director HOST, or --config FILE, or both');
  }
  return { ...found, yaml: inventoryToYamlText(found, req.sshConfig) };
}

function inventoryToYamlText(found: Discovery, sshConfig: string | undefined): string {
  return inventoryToYaml(found.topology, { notes: found.notes, ...(sshConfig ? { sshConfig } : {}) });
}

/** What the configuration file declares for the discovered service that the live director does not do, and back. */
export function compareWithConfig(found: Discovery, text: string, kind: ConfigKind): string[] {
  const { vip, vport } = found.topology.service;
  let declared;
  try {
    declared = discoverFromConfig(text, kind, { vip, vport }).topology;
  } catch (error) {
    return [`the ${kind} file does not declare ${vip}:${vport} (${(error as Error).message.split('\n')[0]})`];
  }
  const key = (r: { rip: string; rport: number }) => `${r.rip}:${r.rport}`;
  const live = new Set(found.topology.realservers.map(key));
  const file = new Set(declared.realservers.map(key));
  const notes: string[] = [];
  for (const r of declared.realservers) if (!live.has(key(r))) notes.push(`the ${kind} file lists realserver ${key(r)}, the director's table does not (health check took it out?)`);
  for (const r of found.topology.realservers) if (!file.has(key(r))) notes.push(`the director's table has realserver ${key(r)}, the ${kind} file does not`);
  if (notes.length === 0) notes.push(`the ${kind} file and the director agree on the realservers of ${vip}:${vport}`);
  return notes;
}
