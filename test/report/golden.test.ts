// Golden outputs per recorded bundle: fixtures/bundles/<case>/expected.{json,txt,nagios,prom}.
// Each bundle is replayed offline (src/commands/replay-bundle.ts) and every face is compared to
// its golden file. Regenerate them only on purpose: UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/model/result.js';
import { toJson } from '../../src/report/json.js';
import { formatNagios } from '../../src/report/nagios.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { formatText } from '../../src/report/text.js';
import { schemaErrors } from './schema-validator.js';

const root = new URL('../../', import.meta.url).pathname;
const bundlesDir = join(root, 'fixtures/bundles');
const replayModule = join(root, 'src/commands/replay-bundle.ts');
const update = process.env.UPDATE_GOLDEN === '1';

const bundles = existsSync(bundlesDir)
  ? readdirSync(bundlesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];

const skipReason = !existsSync(replayModule)
  ? 'src/commands/replay-bundle.ts (replayBundle) does not exist yet'
  : bundles.length === 0
    ? 'no recorded bundles under fixtures/bundles/ yet'
    : null;

/** Wall-clock fields differ on every replay; goldens pin them so they compare byte for byte. */
function stableForGolden(result: ResultDocument): ResultDocument {
  return {
    ...result,
    startedAt: '2000-01-01T00:00:00.000Z',
    durationMs: 0,
    checks: result.checks.map((c) => ({ ...c, durationMs: 0 })),
  };
}

function faces(result: ResultDocument): Record<string, string> {
  const nagios = formatNagios(result);
  return {
    'expected.json': toJson(result),
    'expected.txt': formatText(result),
    'expected.nagios': `${nagios.text}exit ${nagios.exitCode}\n`,
    'expected.prom': formatPrometheus(result),
  };
}

describe('golden outputs of every recorded bundle', () => {
  if (skipReason) {
    it.skip(`skipped: ${skipReason}`, () => {});
    return;
  }
  for (const name of bundles) {
    it(`${name}: json, text, nagios and prometheus match their golden files`, async () => {
      const { replayBundle } = (await import(pathToFileURL(replayModule).href)) as { replayBundle(dir: string): Promise<ResultDocument> };
      const result = stableForGolden(await replayBundle(join(bundlesDir, name)));
      expect(schemaErrors(result)).toEqual([]);
      for (const [file, content] of Object.entries(faces(result))) {
        const path = join(bundlesDir, name, file);
        if (update) writeFileSync(path, content);
        expect(existsSync(path), `${path} missing: run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts`).toBe(true);
        expect(content, `${name}/${file}`).toBe(readFileSync(path, 'utf8'));
      }
    });
  }
});
