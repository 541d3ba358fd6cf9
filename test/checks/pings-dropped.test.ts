// A working service whose hosts drop ICMP echo (a realserver's firewall, a client's by default on
// many systems) is not blamed for it: each Q.1 check whose ping went unanswered passes, saying
// that the test connection proved the path. Real runs on both labs (fixtures/bundles-ping, SOURCES.md).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayBundle } from '../../src/commands/replay-bundle.js';

const CLIENT_SAYS = 'rs1, rs2, rs3 cannot, but answered the test connection through the director: the return path works, ICMP echo is dropped on the way';
const RS1_SAYS = (dip: string) => `the director reaches all 3 RIP(s) from ${dip}; rs1 drops its pings but answered the test connection it forwarded (ICMP echo filtered)`;

const CASES = [
  { bundle: 'realserver.drops-pings', check: 'q1.director-reaches-realservers', says: RS1_SAYS('10.51.2.1') },
  { bundle: 'ipvs-realserver.drops-pings', check: 'q1.director-reaches-realservers', says: RS1_SAYS('10.214.2.1') },
  { bundle: 'client.drops-pings', check: 'q1.realserver-pings-client', says: CLIENT_SAYS },
  { bundle: 'ipvs-client.drops-pings', check: 'q1.realserver-pings-client', says: CLIENT_SAYS },
];

describe('pings dropped on a working service', () => {
  for (const { bundle, check, says } of CASES) {
    it(`${bundle}: ok, ${check} passing with the reason`, async () => {
      const r = await replayBundle(join(import.meta.dirname, '../../fixtures/bundles-ping', bundle));
      expect(r.verdict).toBe('ok');
      expect(r.diagnoses).toEqual([]);
      expect(r.checks.find((c) => c.id === check)).toMatchObject({ verdict: 'pass', summary: says });
    });
  }
});
