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
  try {
    topology = parseInventory(JSON.stringify(value), source).topology;
  } catch (error) {
    if (error instanceof InventoryError) throw new TopologyError(source, `topology.${error.field}`, error.detail);
    throw error;
  }
  return topology;
}
