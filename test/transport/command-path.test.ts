// resolveCommand finds what execvp would exec, so that the ssh started is the same file.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { resolveCommand } from '../../src/transport/command-path.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ncp-cmdpath-'));
  for (const d of ['a', 'b', 'c', 'd']) await mkdir(join(root, d));
  // a: not executable; b: a directory of that name; c: the one; d: a later one.
  await writeFile(join(root, 'a', 'tool'), '#!/bin/sh\necho a\n');
  await mkdir(join(root, 'b', 'tool'));
  await writeFile(join(root, 'c', 'tool'), '#!/bin/sh\necho c\n');
  await chmod(join(root, 'c', 'tool'), 0o755);
  await writeFile(join(root, 'd', 'tool'), '#!/bin/sh\necho d\n');
  await chmod(join(root, 'd', 'tool'), 0o755);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('resolveCommand', () => {
  it('picks the first executable regular file in PATH order, the one execvp runs', async () => {
    const path = ['missing', 'a', 'b', 'c', 'd'].map((d) => join(root, d)).join(':');
    expect(resolveCommand('tool', path)).toBe(join(root, 'c', 'tool'));
    const { stdout } = await execa('tool', { env: { PATH: path }, extendEnv: false });
    expect(stdout).toBe('c');
  });
  it('leaves a name with a slash, or one found nowhere, to the spawn', () => {
    expect(resolveCommand('./tool', join(root, 'c'))).toBe('./tool');
    expect(resolveCommand('/usr/bin/ssh', join(root, 'c'))).toBe('/usr/bin/ssh');
    expect(resolveCommand('tool', join(root, 'a'))).toBe('tool');
    expect(resolveCommand('tool', '')).toBe('tool');
  });
  it('reads an empty PATH entry as the current directory, as an absolute path', () => {
    const cwd = process.cwd();
    process.chdir(join(root, 'd'));
    try {
      expect(resolveCommand('tool', `${join(root, 'a')}::${join(root, 'c')}`)).toBe(join(root, 'd', 'tool'));
    } finally {
      process.chdir(cwd);
    }
  });
});
