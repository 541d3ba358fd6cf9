// Q.1's first question, can the director reach each RIP, judged with what the test connection
// showed: a realserver that answered a connection the director forwarded is reachable, whatever
// its pings do. Real runs: fixtures/bundles-ping (SOURCES.md) and fixtures/bundles.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayBundle } from '../../src/commands/replay-bundle.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const q1 = (r: Awaited<ReturnType<typeof replayBundle>>) => r.checks.find((c) => c.id === 'q1.director-reaches-realservers')!;

describe('q1.director-reaches-realservers', () => {
  // Its verdict and words, on both labs: test/checks/pings-dropped.test.ts.
  it('a realserver that drops pings but answered the test connection through the director: the ping and its ARP entry as evidence', async () => {
    const check = q1(await replayBundle(join(fixtures, 'bundles-ping/realserver.drops-pings')));
    // The ping that went unanswered, and the director's ARP entry holding rs1's MAC.
    expect(check.evidence.map((e) => e.command)).toEqual(['ping -n -c1 -W1 -I 10.51.2.1 10.51.2.11', 'ip -4 neigh show']);
    expect(check.evidence[1].lines).toEqual([expect.stringMatching(/^10\.51\.2\.11 dev t-int lladdr [0-9a-f:]{17} REACHABLE/)]);
    expect(check.evidence[1].note).toBe('the director holds the MAC of 10.51.2.11: ARP was answered');
  });

  it('a RIP the director cannot resolve still fails, with its neighbour entry as evidence', async () => {
    const r = await replayBundle(join(fixtures, 'bundles-ping/realserver.unreachable'));
    expect(r.diagnoses[0]).toMatchObject({ id: 'realserver.unreachable', hosts: ['rs1'], certainty: 1 });
    const neigh = q1(r).evidence.find((e) => e.command === 'ip -4 neigh show')!;
    expect(neigh).toMatchObject({ note: 'the director holds no MAC for 10.51.2.11', lines: [expect.stringMatching(/^10\.51\.2\.11 dev t-int (INCOMPLETE|FAILED)/)] });
  });

  it('a SYN that reached the realserver without an answer proves nothing: the RIP removed from rs1 still warns', async () => {
    const r = await replayBundle(join(fixtures, 'bundles/realserver.rip-missing'));
    const check = q1(r);
    expect(check.verdict).toBe('warn');
    expect(check.summary).toBe('the director gets no ping answer from rs1');
  });
});
