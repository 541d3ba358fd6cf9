// Issue 12: the realservers' ping and traceroute may run while the captures do, once the
// captures leave their packets out (src/engine/probes-alongside.ts). Every recorded bundle,
// its captures' filter rewritten as this doctor now records it (the packets as recorded),
// replays through that engine path (the probes before or alongside the captures, as the run's
// facts allow) to the very diagnosis it was recorded with.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosisDigest, replayBundle } from '../../src/commands/replay-bundle.js';
import { recordedLeavingProbesOut, type ManifestEntry } from './leaving-probes-out.js';

const temp = mkdtempSync(join(tmpdir(), 'lvsd-alongside-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

for (const dir of ['bundles', 'bundles-ipvs']) {
  const root = join(import.meta.dirname, '../../fixtures', dir);
  const scenarios = readdirSync(root).filter((d) => existsSync(join(root, d, 'manifest.json')));
  describe(`fixtures/${dir}, captures leaving the probes out`, () => {
    for (const s of scenarios) {
      it(s, async () => {
        const copy = join(temp, `${dir}-${s}`);
        cpSync(join(root, s), copy, { recursive: true });
        const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { entries: ManifestEntry[] };
        recordedLeavingProbesOut(manifest.entries);
        writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
        const expected = JSON.parse(readFileSync(join(root, s, 'expected-digest.json'), 'utf8'));
        expect(diagnosisDigest(await replayBundle(copy))).toEqual(expected);
      });
    }
  });
}
