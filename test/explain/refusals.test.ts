// Issue 14: what a parser cannot read exactly it refuses, naming the line -- never an empty or
// shifted result. Every fixtures/parsers/<id>/rejected/ file is a real, mangled paste (a mail
// quote prefix, a `->` listing, addresses stripped by an archive) named in that SOURCES.md.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '../../src/model/parse-error.js';
import { parserRegistry } from '../../src/parsers/index.js';
import { detect } from '../../src/explain/detect.js';

const root = join(import.meta.dirname, '../../fixtures/parsers');
const rejected = readdirSync(root).flatMap((id) => {
  const dir = join(root, id, 'rejected');
  return existsSync(dir) ? readdirSync(dir).map((f) => ({ id, file: f, text: readFileSync(join(dir, f), 'utf8') })) : [];
});

describe('mangled real pastes are refused', () => {
  it('covers the forms issue 14 names', () => {
    expect(rejected.map((r) => `${r.id}/${r.file}`)).toEqual(expect.arrayContaining([
      'keepalived/gh-16189053260--quoted-master.out',
      'keepalived/gh-16189053260--quoted-backup.out',
      'sysctl/gh-2802473701--proc-arrow-listing.out',
      'sysctl/gh-5696768336--quoted-ip-forward.out',
    ]));
  });

  for (const r of rejected) {
    it(`${r.id} refuses rejected/${r.file} with the line it could not read`, () => {
      const parser = parserRegistry[r.id];
      if (parser.kind !== 'text') throw new Error('text parsers only');
      let error: unknown = null;
      try {
        parser.parse(r.text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ParseError);
      const line = (error as ParseError).line;
      expect(line).toBeGreaterThan(0);
      expect(r.text.split('\n')[line - 1]).toBe((error as ParseError).text);
      // Named by the command, the detector reports the refusal instead of a reading.
      expect(detect(r.text, r.id === 'keepalived' ? 'cat /etc/keepalived/keepalived.conf' : r.id === 'sysctl' ? 'sysctl -a' : null).parser === r.id).toBe(false);
    });
  }
});
