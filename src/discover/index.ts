// Discovery's public face for the CLI: from a director's name (and the usual ssh options) to
// a topology, over real ssh; or from a configuration file. See discover.ts for how.
import type { ConfigDiscoverOptions, ConfigKind } from './from-config.js';
import { configKindOf, discoverFromConfig } from './from-config.js';
import { discoverTopology, directorTarget, type DiscoverOptions, type Discovery } from './discover.js';
import { hostTransport, sshConnect, type HostTransportOptions } from './host-transport.js';
import { DiscoveryError } from './pick-service.js';

export { discoverTopology, discoverFromConfig, configKindOf, DiscoveryError };
export type { Discovery, DiscoverOptions, ConfigKind, ConfigDiscoverOptions, HostTransportOptions };
export { inventoryToYaml } from './inventory-yaml.js';

/** `--vip VIP[:PORT]` ("10.0.0.10", "10.0.0.10:80", "[2001:db8::10]:443"). */
export function parseVipOption(text: string): { vip: string; vport?: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const vip = m ? m[1] : text;
  const port = m?.[2];
  if (port === undefined) return { vip };
  const vport = Number(port);
  if (!Number.isInteger(vport) || vport < 1 || vport > 65535) throw new DiscoveryError(`--vip ${text}: '${port}' is not a port`);
  return { vip, vport };
}

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
