// Every recorded bundle (real lab runs, fixtures/bundles/<scenario>/ from the netns lab and
// fixtures/bundles-ipvs/<scenario>/ from the real-IPVS lab, so the IPVS paths are tested on
// machines without the guest; fixtures/bundles-sides/<scenario>/ from the netns lab with the
// director's sides in one capture, as live runs take them now, and fixtures/bundles-ipvs-sides/
// likewise from the real-IPVS lab; fixtures/bundles-asked/ and bundles-ipvs-asked/ with the captures
// asked for their counters while the wire was undecided; fixtures/bundles-held/ and bundles-ipvs-held/
// with the realserver a SYN reached asked whether it held the connection; fixtures/bundles-ripa/ and
// bundles-arp/, ARP that was not answered; fixtures/bundles-ping/, the director's neighbour table beside its
// pings; SOURCES.md in each) replays offline to the
// diagnosis it was recorded with: same verdict, same faults on the same hosts, same checks.
// The expectations were written by scripts/record-bundles.sh [--ipvs] from the live run; when a check's
// reasoning changes on purpose, `npm run golden:update` rewrites them (review the diff).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosisDigest, replayBundle } from '../../src/commands/replay-bundle.js';

function replaysEach(dir: string): void {
  const root = join(import.meta.dirname, '../../fixtures', dir);
  const scenarios = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'manifest.json'))) : [];

  describe(`recorded bundles replay to their diagnosis (fixtures/${dir})`, () => {
    it('there are recorded bundles', () => {
      expect(scenarios.length).toBeGreaterThan(0);
    });
    for (const s of scenarios) {
      it(s, async () => {
        const result = await replayBundle(join(root, s));
        if (process.env.UPDATE_GOLDEN === '1') {
          // Only on purpose (npm run golden:update), after a check changed what it concludes.
          writeFileSync(join(root, s, 'expected-digest.json'), `${JSON.stringify(diagnosisDigest(result), null, 2)}\n`);
          return;
        }
        const expected = JSON.parse(readFileSync(join(root, s, 'expected-digest.json'), 'utf8'));
        expect(diagnosisDigest(result)).toEqual(expected);
        // Two checks naming one fault merge their proof: what both cite is in the document once.
        for (const d of result.diagnoses) {
          const keys = d.evidence.map((e) => JSON.stringify([e.host, e.command, e.lines, e.note ?? '']));
          expect(new Set(keys).size, `${d.id}: ${keys.join('\n')}`).toBe(keys.length);
        }
      });
    }
  });
}

replaysEach('bundles');
replaysEach('bundles-ipvs');
replaysEach('bundles-ripa');
replaysEach('bundles-arp');
replaysEach('bundles-ping');
replaysEach('bundles-sides');
replaysEach('bundles-ipvs-sides');
replaysEach('bundles-asked');
replaysEach('bundles-ipvs-asked');
replaysEach('bundles-held');
replaysEach('bundles-ipvs-held');
