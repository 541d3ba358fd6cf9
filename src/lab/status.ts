// `lab status`: is the lab up, which faults are active, does the VIP answer as it should.
import { readState, type ActiveFault } from './state.js';
import { checkRoundRobin } from './health.js';
import { isAlive } from './proc.js';

export interface LabStatus {
  prefix: string;
  up: boolean;
  dir?: string;
  nat?: string;
  backend?: string;
  realservers?: number;
  faults: ActiveFault[];
  pinned: string | null;
  /** Processes the lab started that are no longer running. */
  deadDaemons: string[];
  /** Connections through the VIP all answered and spread as expected (round robin, or all to the pinned target). */
  healthy: boolean;
  servedBy: (string | null)[];
  reason?: string;
}

export async function labStatus(prefix = 'lvs'): Promise<LabStatus> {
  const state = readState(prefix);
  if (!state) return { prefix, up: false, faults: [], pinned: null, deadDaemons: [], healthy: false, servedBy: [], reason: 'no lab is up' };
  const deadDaemons = state.daemons.filter((d) => !isAlive(d.pid)).map((d) => `${d.kind} on ${d.host} (pid ${d.pid})`);
  const health = await checkRoundRobin(prefix, Math.min(state.info.realservers.length, 20));
  return {
    prefix,
    up: true,
    dir: state.info.dir,
    nat: state.info.nat,
    backend: state.info.backend ?? 'netns',
    realservers: state.info.realservers.length,
    faults: state.faults,
    pinned: state.pinned,
    deadDaemons,
    healthy: health.ok && deadDaemons.length === 0 && state.faults.length === 0,
    servedBy: health.servedBy,
    reason: health.reason ?? (deadDaemons.length > 0 ? 'lab processes died' : state.faults.length > 0 ? 'faults are active' : undefined),
  };
}
