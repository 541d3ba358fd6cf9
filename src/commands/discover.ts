// `lvs-doctor discover` and `diagnose --director HOST`: find the topology from one director.
import type { CommandIO } from './io.js';
import type { Topology } from '../model/topology.js';

export async function discoverForDiagnose(_values: Record<string, unknown>, _io: CommandIO): Promise<Topology> {
  throw new Error('discovery from --director is not wired yet: give --inventory FILE');
}

export async function discoverCommand(_args: string[], io: CommandIO): Promise<number> {
  io.err('lvs-doctor discover: not wired yet\n');
  return 64;
}
