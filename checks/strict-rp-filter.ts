import type { Facts } from '../src/facts/facts.js';
import { effectiveRpFilter, routeGet, sysctls } from '../src/facts/readers.js';
import type { Evidence, Fix } from '../src/model/check.js';

export interface StrictRpFilterRefusal {
  ext: string;
  evidence: Evidence[];
  fixes: Fix[];
}

/**
 * The director's strict rp_filter refuses the client's address arriving on ext: the kernel's own
 * answer to "a packet from CIP on ext" is an error, and the effective rp_filter there is 1.
 */
export function strictRpFilterRefusal(facts: Facts, director: string, cip: string): StrictRpFilterRefusal | undefined {
  const ext = facts.derived.ext;
  if (!ext) return undefined;
  const route = routeGet(facts, director, 'route-get-request');
  if (!route?.error || effectiveRpFilter(sysctls(facts, director), ext) !== 1) return undefined;
  return {
    ext,
    evidence: [
      facts.evidence(director, 'route-get-request'),
      facts.evidence(director, 'sysctl', (l) => /rp_filter/.test(l) && (/\.all\./.test(l) || l.includes(`.${ext}.`)), `effective rp_filter on ${ext} = max(all, ${ext}) = 1`),
    ],
    fixes: [{ host: director, commands: [`sysctl -w net.ipv4.conf.all.rp_filter=2`, `sysctl -w net.ipv4.conf.${ext}.rp_filter=2`], why: `loose reverse-path filtering, or a symmetric route (route ${cip} back out of ${ext})` }],
  };
}
