// A redacted bundle (every address mapped to documentation ranges, subnet relations kept, host
// names dropped) replays to the same diagnosis as the original: same verdict, same fault ids,
// same check verdicts, and no lab address left anywhere in it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readBundle, writeBundle } from '../../src/transport/bundle.js';
import { redactBundle } from '../../src/transport/redact.js';
import { isPcap } from '../../src/transport/pcap-rewrite.js';
import { frameMacs } from '../transport/pcap-macs.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import type { ResultDocument } from '../../src/model/result.js';

const root = join(import.meta.dirname, '../../fixtures/bundles');
const cases = ['healthy', 'realserver.reply-route', 'director.rp-filter', 'realserver.no-listener', 'director.send-redirects'];

function shape(r: ResultDocument): unknown {
  return {
    verdict: r.verdict,
    diagnoses: r.diagnoses.map((d) => d.id),
    checks: r.checks.map((c) => [c.id, c.verdict, c.fault ?? null]),
    hops: r.hops.map((h) => h.status),
  };
}

describe('redacted bundles replay to the same diagnosis', () => {
  for (const name of cases) {
    it(name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lvsd-redact-'));
      try {
        const original = await replayBundle(join(root, name));
        await writeBundle(dir, redactBundle(await readBundle(join(root, name))));
        const text = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
        const labNet = /\b10\.217\.\d+\.\d+\b/;
        expect(labNet.test(text), 'a lab address survived redaction').toBe(false);
        // The hosts' MACs, read from the original captures' link headers, are nowhere in it.
        const macs = new Set(readdirSync(join(root, name)).filter((f) => f.endsWith('.bin')).flatMap((f) => {
          const bytes = readFileSync(join(root, name, f));
          return isPcap(bytes) ? [...frameMacs(bytes)] : [];
        }));
        expect(macs.size).toBeGreaterThan(0);
        const redactedBytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
        expect([...macs].filter((m) => redactedBytes.includes(Buffer.from(m, 'hex')))).toEqual([]);
        const redacted = await replayBundle(dir);
        expect(shape(redacted)).toEqual(shape(original));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
