// The real-IPVS bundles' labels are honest: injected.json (written by scripts/record-bundles.sh
// --ipvs from the live run) says whether the doctor named the injected fault first on its host,
// and that must be what the recorded diagnosis says; a bundle where it did not carries the
// reason (knownWrong). The replay itself is test/scenarios/bundles.test.ts's.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Injected {
  fault: string;
  host: string | null;
  namedFirst: boolean;
  knownWrong?: string;
}

interface Digest {
  verdict: string;
  diagnoses: { id: string; hosts: string[] }[];
}

const root = join(import.meta.dirname, '../../fixtures/bundles-ipvs');
const bundles = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'injected.json'))) : [];

export function namedFirst(injected: Injected, digest: Digest): boolean {
  if (injected.fault === 'healthy') return digest.verdict === 'ok';
  const first = digest.diagnoses[0];
  return first !== undefined && first.id === injected.fault && injected.host !== null && first.hosts.includes(injected.host);
}

describe('real-IPVS bundles say honestly what the doctor named', () => {
  it('there is one per fault plus healthy', () => {
    expect(bundles.length).toBeGreaterThan(10);
    expect(bundles).toContain('healthy');
  });
  for (const b of bundles) {
    it(b, () => {
      const injected = JSON.parse(readFileSync(join(root, b, 'injected.json'), 'utf8')) as Injected;
      const digest = JSON.parse(readFileSync(join(root, b, 'expected-digest.json'), 'utf8')) as Digest;
      expect(injected.fault).toBe(b);
      expect(injected.namedFirst).toBe(namedFirst(injected, digest));
      if (!injected.namedFirst) expect(injected.knownWrong ?? '').not.toBe('');
    });
  }
});
