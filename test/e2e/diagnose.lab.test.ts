// The doctor against the lab: for every fault the lab can inject, `lvs-doctor lab diagnose
// --json` names exactly that fault first, on the right host; a healthy lab is `ok`. Then the
// same with the realservers off-limits (director-only): the fault is named where the
// director's wire proves it, otherwise a director-side reading or `unknown` — never another
// confident answer.
import { describe, expect, it } from 'vitest';
import { labSkipReason } from '../lab/helpers.js';
import { expectUnreachableFromArp, freshLab, labDiagnose, PINGS_DROPPED, withEchoDropped } from './lab-diagnose.js';
import { injectFault, labExec, labFaults, revertFault } from '../../src/lab/index.js';
import { planLab } from '../../src/lab/plan.js';
import type { ResultDocument } from '../../src/model/result.js';

const PREFIX = 'e2d';
const skip = labSkipReason(PREFIX);

const diagnose = (flags: string[]): ResultDocument => labDiagnose(PREFIX, flags);

/** What the director alone may honestly answer for a realserver-side fault. */
const DIRECTOR_VIEW: Record<string, string[]> = {
  'realserver.reply-route': ['director.return-path-stalled'],
  'realserver.silent-drop': ['director.return-path-stalled'],
  'realserver.onlink-client': ['director.return-path-stalled'],
  'realserver.redirect-accepted': ['director.return-path-stalled'],
  'realserver.rip-missing': ['realserver.unreachable', 'director.return-path-stalled'],
  'director.return-path-stalled': ['director.return-path-stalled'],
};

describe.skipIf(skip !== null)(`lvs-doctor lab diagnose${skip ? ` (skipped: ${skip})` : ''}`, () => {
  freshLab(PREFIX);

  it('a healthy lab is ok, with all four hops seen', () => {
    const r = diagnose([]);
    expect(r.verdict).toBe('ok');
    expect(r.diagnoses).toEqual([]);
    expect(r.hops.map((h) => h.status)).toEqual(['seen', 'seen', 'seen', 'seen']);
  }, 120_000);

  for (const f of labFaults('netns')) {
    // director.return-path-stalled is the director-only reading of realserver.reply-route.
    const directorOnlyFault = f.id === 'director.return-path-stalled';
    it(`${f.id}: named first${directorOnlyFault ? ' (director-only)' : ''}`, async () => {
      await injectFault(PREFIX, f.id);
      try {
        const r = diagnose([...(f.onenet ? ['--onenet'] : []), ...(directorOnlyFault ? ['--director-only'] : [])]);
        expect(r.verdict).toBe('fail');
        expect(r.diagnoses[0]?.id, JSON.stringify(r.diagnoses.map((d) => d.id))).toBe(f.id);
        if (!directorOnlyFault) {
          const d = diagnose([...(f.onenet ? ['--onenet'] : []), '--director-only']);
          const allowed = [f.id, ...(DIRECTOR_VIEW[f.id] ?? [])];
          if (d.diagnoses.length > 0) expect(allowed, `director-only answered ${d.diagnoses[0].id}`).toContain(d.diagnoses[0].id);
          else expect(d.verdict).toBe('unknown');
        }
      } finally {
        await revertFault(PREFIX, f.id);
      }
    }, 240_000);
  }

  // The SYN goes while the director's ping may still be resolving rs1's RIP, its first request
  // before the capture: the connections wait for its next request on int.
  it('realserver.unreachable: named for certain, the director\'s unanswered ARP for the RIP where the rewritten SYN should be', async () => {
    await injectFault(PREFIX, 'realserver.unreachable');
    try {
      diagnose([]);
      for (let i = 0; i < 2; i++) expectUnreachableFromArp(PREFIX, planLab(PREFIX, 3).realservers[0].rip);
    } finally {
      await revertFault(PREFIX, 'realserver.unreachable');
    }
  }, 240_000);

  // The client's neighbour entry for the director expired: strict rp_filter refuses its ARP
  // too, and no SYN leaves it until that ARP gives up, three seconds after its first request.
  // The director's first refusal on the wire decides the connections (src/facts/client-arp-refusal.ts):
  // the client's tools are stopped, not left to their timeout.
  it('director.rp-filter with the client\'s entry for the director expired: named for certain, the tools stopped at the refusal', async () => {
    await injectFault(PREFIX, 'director.rp-filter');
    try {
      const flushed = await labExec(PREFIX, 'client', ['ip', 'neigh', 'flush', 'to', planLab(PREFIX, 3).directorExtAddress]);
      expect(flushed.exitCode, flushed.stderr).toBe(0);
      const r = diagnose([]);
      expect(r.diagnoses[0]).toMatchObject({ id: 'director.rp-filter', certainty: 1 });
      expect(r.diagnoses[0].summary).toContain('so no SYN left the client');
      const attempts = r.diagnoses[0].evidence.find((e) => e.command === 'test connection')!.lines;
      expect(attempts.length).toBeGreaterThan(0);
      for (const line of attempts) expect(line).toContain('stopped before its timeout');
      expect(r.hops).toEqual([]);
    } finally {
      await revertFault(PREFIX, 'director.rp-filter');
    }
  }, 240_000);

  // A host that drops ICMP echo (a common firewall, on a client by default on many systems) while
  // the service works: the director's ping to the realserver, or the realservers' to the client,
  // goes unanswered, and the test connection comes back through the director. ok, Q.1 saying why.
  for (const { host, check, says } of PINGS_DROPPED) {
    it(`${host === 'client' ? 'a client' : 'a realserver'} that drops pings but is served: ok, ${check} saying why`, async () => {
      const r = await withEchoDropped(PREFIX, host, async () => diagnose([]));
      expect(r.verdict, JSON.stringify(r.diagnoses.map((d) => d.id))).toBe('ok');
      expect(r.checks.find((c) => c.id === check)).toMatchObject({ verdict: 'pass', summary: expect.stringContaining(says) });
    }, 120_000);
  }

  it('is healthy again after every revert', () => {
    expect(diagnose([]).verdict).toBe('ok');
  }, 120_000);
});
