// Issue 16.4: every fix is a command that runs as printed -- no comment lines standing in for
// a command, no trailing `# note`. What is not a command (an alternative, a caveat) belongs in
// the fix's why. The one exception is the guard's withheld marker, a comment on purpose: a
// value read from a host or bundle was not a plain shell word.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { WITHHELD_FIX } from '../../src/engine/fix-guard.js';

const root = new URL('../../', import.meta.url).pathname;
const folders = ['fixtures/bundles', 'fixtures/bundles-ipvs'].flatMap((f) => {
  try {
    return readdirSync(join(root, f), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(f, e.name));
  } catch {
    return [];
  }
});

describe('fix commands are runnable', () => {
  it.each(folders)('%s', async (folder) => {
    const result = await replayBundle(join(root, folder));
    const commands = result.checks.flatMap((c) => c.fixes.flatMap((f) => f.commands));
    const comments = commands.filter((c) => c !== WITHHELD_FIX && (/^\s*#/.test(c) || /\s#(\s|$)/.test(c)));
    expect(comments).toEqual([]);
  });
});
