import type { Facts } from '../src/facts/facts.js';
import { strictRpFilterRefuses } from '../src/facts/readers.js';
import type { Evidence, Fix } from '../src/model/check.js';

export interface StrictRpFilterRefusal {
  ext: string;
  evidence: Evidence[];
  fixes: Fix[];
}

/** The director's strict rp_filter refuses the client's address arriving on ext (strictRpFilterRefuses), with its evidence and fix. */
export function strictRpFilterRefusal(facts: Facts, director: string, cip: string): StrictRpFilterRefusal | undefined {
  const ext = facts.derived.ext;
  if (!ext) return undefined;
  if (!strictRpFilterRefuses(facts, director, ext)) return undefined;
  return {
    ext,
    evidence: [
      facts.evidence(director, 'route-get-request'),
      facts.evidence(director, 'sysctl', (l) => /rp_filter/.test(l) && (/\.all\./.test(l) || l.includes(`.${ext}.`)), `effective rp_filter on ${ext} = max(all, ${ext}) = 1`),
    ],
    fixes: [{ host: director, commands: [`sysctl -w net.ipv4.conf.all.rp_filter=2`, `sysctl -w net.ipv4.conf.${ext}.rp_filter=2`], why: `loose reverse-path filtering, or a symmetric route (route ${cip} back out of ${ext})` }],
  };
}
