// A topology that did not come from our own inventory parser (a bundle's manifest: someone
// else's file) goes through that parser all the same, so that every value the checks put in
// evidence and fix commands is validated the same way: addresses are addresses, interface and
// host names are names. JSON is YAML, so the object is handed over as its JSON text.
import type { Topology } from '../model/topology.js';
import { InventoryError, parseInventory } from './inventory.js';

/** The value's field that failed, named from the topology's root; exit 65. */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${source}: ${field}: ${detail}`);
  }
}

export function validateTopology(value: unknown, source: string): Topology {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TopologyError(source, 'topology', 'expected an object with service, director, client, realservers');
  let topology: Topology;
  const { record, implicit } = withoutImplicitClient(value as Record<string, unknown>, source);
  try {
    topology = parseInventory(JSON.stringify(withoutRoles(record, source)), source).topology;
  } catch (error) {
    if (error instanceof InventoryError) throw new TopologyError(source, `topology.${error.field}`, error.detail);
    throw error;
  }
  return implicit && topology.client.access === 'local' ? { ...topology, client: { ...topology.client, implicit: true } } : topology;
}

/** `client.implicit` (this machine taken as the client) is no inventory key: checked here, set again after. */
function withoutImplicitClient(t: Record<string, unknown>, source: string): { record: Record<string, unknown>; implicit: boolean } {
  const client = t.client;
  if (!client || typeof client !== 'object' || Array.isArray(client) || !('implicit' in client)) return { record: t, implicit: false };
  const { implicit, ...rest } = client as Record<string, unknown>;
  if (implicit !== true) throw new TopologyError(source, 'topology.client.implicit', 'must be true when present');
  return { record: { ...t, client: rest }, implicit: true };
}

const PLACES = [['director', 'director'], ['client', 'client']] as const;

/**
 * A recorded topology carries each host's `role`, which an inventory does not (its place says
 * it). A role that agrees with its place is dropped before the inventory parser sees it; one that
 * does not is refused, naming the field.
 */
function withoutRoles(t: Record<string, unknown>, source: string): Record<string, unknown> {
  const strip = (host: unknown, field: string, role: string): unknown => {
    if (!host || typeof host !== 'object' || Array.isArray(host) || !('role' in host)) return host;
    const { role: given, ...rest } = host as Record<string, unknown>;
    if (given !== role) throw new TopologyError(source, `topology.${field}.role`, `must be '${role}' here`);
    return liftConfigFile(rest, field);
  };
  // Each recorded host names the ssh config file it was reached with; an inventory names it once
  // (sshConfig), so one shared file is lifted there and validated as such.
  const configFiles = new Set<unknown>();
  const liftConfigFile = (host: Record<string, unknown>, field: string): Record<string, unknown> => {
    const ssh = host.ssh;
    if (!ssh || typeof ssh !== 'object' || Array.isArray(ssh) || !('configFile' in ssh)) return host;
    const { configFile, ...restSsh } = ssh as Record<string, unknown>;
    configFiles.add(configFile);
    if (configFiles.size > 1) throw new TopologyError(source, `topology.${field}.ssh.configFile`, 'differs from the other hosts\' (one ssh config file per bundle)');
    return { ...host, ssh: restSsh };
  };
  const out: Record<string, unknown> = { ...t };
  for (const [field, role] of PLACES) if (field in out) out[field] = strip(out[field], field, role);
  if (Array.isArray(out.realservers)) out.realservers = out.realservers.map((rs, i) => strip(rs, `realservers[${i}]`, 'realserver'));
  if (configFiles.size === 1 && !('sshConfig' in out)) out.sshConfig = [...configFiles][0];
  return out;
}
