// A command loads what its path needs and no more (issue 12: start-up is most of a warm run).
// The real binary runs with a module trace (module-trace.mjs); the packages a path must not load
// are named here with the reason. Each case fails if its lazy import is made eager again:
// parse.js in cli.ts (--version), live-transport.js in diagnose.ts (replay: execa), ajv's compiler
// in bundle-schema.ts (replay: the generated validator instead).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'lvsd-modules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The files the binary loaded for `args` (it must exit as expected: a crash loads little). */
function loaded(args: string[], exitCode: number): string[] {
  const trace = join(work, `${args.join('_').replace(/\W+/g, '_')}.txt`);
  const r = spawnSync(process.execPath, ['--import', join(import.meta.dirname, 'module-trace.mjs'), join(root, 'bin/lvs-doctor.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LVS_DOCTOR_MODULE_TRACE: trace, NO_COLOR: '1' },
  });
  expect(r.status, r.stderr).toBe(exitCode);
  return [...new Set(readFileSync(trace, 'utf8').split('\n').filter(Boolean))];
}

const packageOf = (file: string): string | null => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? null;
const packages = (files: string[]): string[] => [...new Set(files.map(packageOf).filter((p): p is string => p !== null))].sort();

describe('modules loaded per command', () => {
  it('--version loads no package and a handful of our own modules', () => {
    const files = loaded(['--version'], 0);
    expect(packages(files)).toEqual([]);
    expect(files.filter((f) => f.includes('/dist/')).length).toBeLessThan(30);
  });

  it('a replay in JSON loads neither the ssh transport (execa) nor the TUI, nor compiles the bundle schema', () => {
    const files = loaded(['replay', 'fixtures/bundles/healthy', '--json'], 0);
    const pkgs = packages(files);
    // Found the replay's own modules: the trace sees ES modules and CommonJS ones alike.
    expect(pkgs).toEqual(expect.arrayContaining(['yaml', 'pcap-parser']));
    expect(files.some((f) => f.endsWith('/dist/src/transport/replay.js'))).toBe(true);
    for (const unneeded of ['execa', 'ink', 'react', 'chalk']) expect(pkgs).not.toContain(unneeded);
    // ajv's runtime helper (a string's length) only: the validator is generated ahead.
    expect(files.filter((f) => packageOf(f) === 'ajv').map((f) => f.replace(/.*\/node_modules\/ajv\//, ''))).toEqual(['dist/runtime/ucs2length.js']);
  });

  it('parse loads the parsers, not the engine nor any transport', () => {
    const files = loaded(['parse', '--list'], 0);
    expect(packages(files).filter((p) => p !== 'pcap-parser')).toEqual([]);
    expect(files.some((f) => f.includes('/dist/src/engine/') || f.includes('/dist/src/transport/'))).toBe(false);
  });
});
