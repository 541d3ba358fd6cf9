// A baseline is another run of the same site: the same service, director and realservers
// (the client is only where the test connection comes from: another one is the same site). Compared with a run of another site every route and address would "differ",
// which would say nothing true; such a baseline is refused, naming what is not the same.
import { createHash } from 'node:crypto';
import type { Topology } from '../model/topology.js';

function identity(t: Topology): Record<string, string> {
  const { protocol, vip, vport, fwmark } = t.service;
  return {
    service: fwmark !== undefined ? `FWM ${fwmark} (${protocol} ${vip}:${vport})` : `${protocol} ${vip}:${vport}`,
    director: t.director.name,
    realservers: t.realservers.map((rs) => `${rs.name}=${rs.rip}:${rs.rport ?? t.service.vport}`).sort().join(', '),
  };
}

/** Null when both are the same site; else one sentence naming the first part that is not. */
export function siteMismatch(baseline: Topology, now: Topology): string | null {
  const b = identity(baseline);
  const n = identity(now);
  for (const part of Object.keys(n)) {
    if (b[part] !== n[part]) return `the baseline is of another site: its ${part} is ${b[part] || '(none)'}, this run's is ${n[part] || '(none)'}`;
  }
  return null;
}

/** A short stable name of the site, for its directory in the state directory. */
export function siteKey(t: Topology): string {
  return createHash('sha256').update(JSON.stringify(identity(t))).digest('hex').slice(0, 16);
}
