// The captures asked for their counters while the wire is undecided (WireWatch's rounds), on
// real recordings made so: fixtures/bundles-asked (netns lab) and fixtures/bundles-ipvs-asked
// (the real-IPVS guest). Asking changes no diagnosis, and tcpdump's answers read as the rounds
// need them: libpcap's packets that are counted and never written (up to 10 on the guest) are
// no packet still on its way.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle } from '../../src/transport/bundle.js';
import { decodePcap } from '../../src/pcap/index.js';
import { readRequestedCountersLine } from '../../src/parsers/tcpdump-text.js';
import { CountersReader } from '../../src/probes/capture.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const runs = (dir: string): string[] => readdirSync(join(fixtures, dir)).filter((s) => existsSync(join(fixtures, dir, s, 'manifest.json')));
const digest = (dir: string, s: string): string => readFileSync(join(fixtures, dir, s, 'expected-digest.json'), 'utf8');

describe('recorded asking, diagnosed as recorded without', () => {
  for (const [asked, without] of [['bundles-asked', 'bundles'], ['bundles-ipvs-asked', 'bundles-ipvs']]) {
    it(`fixtures/${asked}: each digest equals fixtures/${without}'s`, () => {
      expect(runs(asked).length).toBe(7);
      for (const s of runs(asked)) expect(digest(asked, s), s).toBe(digest(without, s));
    });
  }
});

describe('tcpdump\'s answers, as recorded', () => {
  const captures = async (dir: string, s: string) => {
    const bundle = await readBundle(join(fixtures, dir, s));
    return Promise.all(
      bundle.manifest.entries
        .filter((e) => e.argv[0] === 'tcpdump')
        .map(async (e) => ({ host: e.host, lines: e.stderr.split('\n').map(readRequestedCountersLine).filter((c) => c !== null), packets: (await decodePcap(bundle.files.get(e.stdoutFile)!)).packets.length })),
    );
  };

  for (const dir of ['bundles-asked', 'bundles-ipvs-asked']) {
    it(`fixtures/${dir}: every answer after the one when it listened is read, owes no packet once all have come, lost none`, async () => {
      let answers = 0;
      for (const s of runs(dir)) {
        for (const c of await captures(dir, s)) {
          const reader = new CountersReader();
          const read = c.lines.map((l) => reader.read(l));
          expect(read[0], `${s} ${c.host}`).toBeNull();
          for (const a of read.slice(1)) {
            answers++;
            expect(a!.lost, `${s} ${c.host}`).toBe(0);
            expect(a!.written, `${s} ${c.host}`).toBeLessThanOrEqual(c.packets);
          }
          // Stopped, it had written what it took: its last answer owes nothing.
          expect(read.at(-1)?.pending ?? 0, `${s} ${c.host}`).toBe(0);
        }
      }
      expect(answers).toBeGreaterThan(50);
    });
  }

  it('the packets libpcap counts and never writes are no packet on its way (the real-IPVS client: 10 of them)', async () => {
    const client = (await captures('bundles-ipvs-asked', 'director.firewall-drop')).find((c) => c.host === 'client')!;
    expect(client.lines.map((l) => [l.captured, l.receivedByFilter])).toEqual([[0, 10], [2, 12], [5, 15], [5, 15]]);
    const reader = new CountersReader();
    expect(client.lines.map((l) => reader.read(l))).toEqual([null, { written: 2, pending: 0, lost: 0 }, { written: 5, pending: 0, lost: 0 }, { written: 5, pending: 0, lost: 0 }]);
  });
});
