import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_IDS } from '../../src/model/faults.js';
import { QUESTIONS } from '../../src/model/check.js';
import { toJson } from '../../src/report/json.js';
import { healthyResult, replyRouteResult } from './samples.js';
import { resultSchema, schemaErrors } from './schema-validator.js';

const bundlesDir = new URL('../../fixtures/bundles/', import.meta.url).pathname;
const bundleExpectations = existsSync(bundlesDir)
  ? readdirSync(bundlesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(bundlesDir, d.name, 'expected.json')))
      .map((d) => d.name)
  : [];

describe('schema/result.v1.json', () => {
  it('accepts the healthy and the faulty result documents as toJson writes them', () => {
    for (const doc of [healthyResult(), replyRouteResult()]) {
      expect(schemaErrors(JSON.parse(toJson(doc)))).toEqual([]);
    }
  });

  it('rejects a document that breaks the contract', () => {
    const missingVerdict: Record<string, unknown> = { ...healthyResult() };
    delete missingVerdict.verdict;
    expect(schemaErrors(missingVerdict).join('\n')).toMatch(/verdict/);
    expect(schemaErrors({ ...healthyResult(), verdict: 'broken' })).not.toEqual([]);
    expect(schemaErrors({ ...healthyResult(), schemaVersion: 2 })).not.toEqual([]);
    const badFault = replyRouteResult();
    (badFault.diagnoses[0] as { id: string }).id = 'Reply Route';
    expect(schemaErrors(badFault).join('\n')).toMatch(/diagnoses\/0\/id/);
  });

  it('allows added fields (the contract says "add freely")', () => {
    expect(schemaErrors({ ...healthyResult(), extra: { anything: 1 } })).toEqual([]);
  });

  it('knows every fault id of FAULTS.md and every question', () => {
    const pattern = new RegExp((resultSchema.$defs as Record<string, { pattern?: string }>).faultId.pattern ?? '');
    for (const id of FAULT_IDS) expect(id).toMatch(pattern);
    const questionEnum = (resultSchema.$defs as Record<string, { enum?: string[] }>).question.enum;
    expect(questionEnum).toEqual([...QUESTIONS]);
  });

  it.skipIf(bundleExpectations.length === 0)('validates every recorded bundle expected.json (fixtures/bundles/*/expected.json)', () => {
    for (const name of bundleExpectations) {
      const doc: unknown = JSON.parse(readFileSync(join(bundlesDir, name, 'expected.json'), 'utf8'));
      expect({ bundle: name, errors: schemaErrors(doc) }).toEqual({ bundle: name, errors: [] });
    }
  });
});
