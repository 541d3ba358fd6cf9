// Every check file under checks/<question>/ is listed in checks/index.ts, every FAULTS.md id
// is reachable by some check, and every check lives in the folder of its question.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECK_IDS } from '../../checks/ids.js';
import { CHECKS } from '../../checks/index.js';
import { FAULT_IDS } from '../../src/model/faults.js';
import { QUESTIONS } from '../../src/model/check.js';

const root = join(import.meta.dirname, '../../checks');

describe('checks/index.ts', () => {
  const files = QUESTIONS.flatMap((q) => readdirSync(join(root, q)).filter((f) => f.endsWith('.ts')).map((f) => `${q}/${f}`));
  const index = readFileSync(join(root, 'index.ts'), 'utf8');

  it.each(files)('lists %s', (file) => {
    expect(index).toContain(`./${file.replace(/\.ts$/, '.js')}`);
  });

  it('places each check in the folder of its question', () => {
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      const question = /question: '([^']+)'/.exec(text)?.[1];
      expect(file.startsWith(`${question}/`), `${file} declares question ${question}`).toBe(true);
    }
  });

  it('can name every fault of FAULTS.md', () => {
    const source = files.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
    const unreachable = FAULT_IDS.filter((id) => !source.includes(`'${id}'`));
    expect(unreachable).toEqual([]);
  });

  it('has the ids of FAULTS.md, no more, no less', () => {
    const catalog = readFileSync(join(import.meta.dirname, '../../docs/faults.md'), 'utf8');
    const ids = [...catalog.matchAll(/^\| `([a-z]+\.[a-z-]+)` \|/gm)].map((m) => m[1]);
    expect([...FAULT_IDS].sort()).toEqual([...ids].sort());
  });

  it('declares in checks/ids.ts exactly the ids of its checks (the CheckId type)', () => {
    expect([...CHECK_IDS].sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });

  it('has unique ids', () => {
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });
});
