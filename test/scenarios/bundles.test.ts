// Every recorded bundle (real lab runs, fixtures/bundles/<scenario>/) replays offline to the
// diagnosis it was recorded with: same verdict, same faults on the same hosts, same checks.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosisDigest, replayBundle } from '../../src/engine/replay-bundle.js';

const root = join(import.meta.dirname, '../../fixtures/bundles');
const scenarios = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'manifest.json'))) : [];

describe('recorded bundles replay to their diagnosis', () => {
  it('there are recorded bundles', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });
  for (const s of scenarios) {
    it(s, async () => {
      const expected = JSON.parse(readFileSync(join(root, s, 'expected-digest.json'), 'utf8'));
      const result = await replayBundle(join(root, s));
      expect(diagnosisDigest(result)).toEqual(expected);
    });
  }
});
