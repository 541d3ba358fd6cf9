// A command loads what its path needs and no more (issue 12: start-up is most of a warm run).
// The compiled tree (dist/src) and the bundle made from it (dist/bundle, what bin runs) run with a
// module trace (module-trace.mjs); what a path must not load is named here with the reason. Each
// case fails if its lazy import is made eager again: parse.js in cli.ts (--version),
// live-transport.js in diagnose.ts (replay: execa), ajv's compiler in bundle-schema.ts (replay:
// the generated validator instead), run-tui.js in diagnose.ts (replay: ink).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'lvsd-modules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let traces = 0;

/** The files the binary loaded for `args` (it must exit as expected: a crash loads little). */
function loaded(args: string[], exitCode: number, entry = 'dist/src/cli.js'): string[] {
  const trace = join(work, `${entry}_${args.join('_')}_${++traces}.txt`.replace(/\W+/g, '_'));
  const r = spawnSync(process.execPath, ['--import', join(import.meta.dirname, 'module-trace.mjs'), resolve(root, entry), ...args], {
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

describe('modules loaded per command (dist/src)', () => {
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

describe('modules loaded per command (dist/bundle, what bin/lvs-doctor.js runs)', () => {
  const BUNDLE = 'dist/bundle/cli.js';
  /** The bundle's chunks a run loaded, by the module each is named after (ssh-<hash>.js -> ssh). */
  const chunks = (files: string[]): string[] => files.filter((f) => f.includes('/dist/bundle/')).map((f) => f.replace(/.*\/dist\/bundle\//, '').replace(/-[\w-]{8}\.js$|\.js$/, ''));

  it('--version loads the entry and a few chunks, and nothing from node_modules', () => {
    const files = loaded(['--version'], 0, BUNDLE);
    expect(files.filter((f) => f.includes('/node_modules/'))).toEqual([]);
    expect(chunks(files)).not.toContain('parsers');
    expect(chunks(files).length).toBeLessThan(12);
  });

  it('a replay in JSON loads neither execa nor ink from the bundle; of node_modules only ajv\'s runtime helper', () => {
    const files = loaded(['replay', 'fixtures/bundles/healthy', '--json'], 0, BUNDLE);
    expect(chunks(files)).toContain('diagnose');
    // Read in what was loaded, whatever chunk the bundler put it in: a function of execa's, and
    // React's reconciler (which only the TUI uses). Both are in the bundle, the first test says.
    const text = files.filter((f) => f.includes('/dist/bundle/')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text).toContain('replayCommand');
    for (const marker of ['spawnSubprocessAsync', 'reconcileChildFibers']) expect(text).not.toContain(marker);
    expect(files.filter((f) => f.includes('/node_modules/')).map((f) => f.replace(/.*\/node_modules\//, ''))).toEqual(['ajv/dist/runtime/ucs2length.js']);
  });

  it('the bundle holds execa and ink (so the markers above can be found)', () => {
    const all = readdirSync(join(root, 'dist/bundle')).map((f) => readFileSync(join(root, 'dist/bundle', f), 'utf8')).join('\n');
    for (const marker of ['spawnSubprocessAsync', 'reconcileChildFibers']) expect(all).toContain(marker);
  });
});

describe('bin/lvs-doctor.js', () => {
  /** A copy of the package's runnable files, so that their times can be changed. */
  function copy(): string {
    const dir = mkdtempSync(join(work, 'pkg-'));
    for (const entry of ['bin', 'dist/src', 'dist/checks', 'dist/bundle', 'package.json']) cpSync(join(root, entry), join(dir, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }
  const entries = (files: string[]): string[] => files.filter((f) => /\/dist\/(src|bundle)\/cli\.js$/.test(f)).map((f) => f.replace(/.*\/dist\//, 'dist/'));

  it('starts without node:child_process (~10-25 ms) on paths that spawn nothing: --version, a replay', () => {
    for (const args of [['--version'], ['replay', 'fixtures/bundles/healthy', '--json']]) {
      const files = loaded(args, 0, 'bin/lvs-doctor.js');
      expect(files).toContain('node:fs');
      expect(files).not.toContain('node:child_process');
    }
  });

  it('runs the bundle when it is not older than dist/src, and the fresh dist/src after a lone tsc', () => {
    const dir = copy();
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'dist/src/cli.js'), earlier, earlier);
    expect(entries(loaded(['--version'], 0, join(dir, 'bin/lvs-doctor.js')))).toEqual(['dist/bundle/cli.js']);
    // What `tsc` alone does: dist/src is rewritten, the bundle is not.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'dist/src/cli.js'), later, later);
    expect(entries(loaded(['--version'], 0, join(dir, 'bin/lvs-doctor.js')))).toEqual(['dist/src/cli.js']);
  });
});
