// The package as a user gets it: `npm pack` (which builds through prepack), the tarball
// installed offline into a fresh directory from the cache `npm ci` filled, and the shipped
// demo run from there. The pack runs in a copy of the sources, so this worktree's dist/ (which
// the other test files' binary runs from) is never rebuilt under them.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

function sh(cmd: string, args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A lockfile for a project that depends on the tarball only: the runtime entries of ours. */
function consumerLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { 'lvs-doctor': `file:${tarball}` } },
    'node_modules/lvs-doctor': { version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev && !entry.link) packages[path] = entry;
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

describe('npm pack', () => {
  it('ships a built package with its demo bundle, installs offline without build scripts, and the demo runs', () => {
    const work = mkdtempSync(join(tmpdir(), 'lvsd-pack-'));
    try {
      const src = join(work, 'src');
      for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'src', 'checks', 'bench', 'schema', 'scripts/ipvs-vm', 'scripts/bundle.mjs', 'fixtures/bundles/realserver.reply-route']) {
        cpSync(join(root, entry), join(src, entry), { recursive: true });
      }
      symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
      const packed = sh('npm', ['pack', '--json', '--pack-destination', work], src);
      expect(packed.code, packed.err).toBe(0);
      const [info] = JSON.parse(packed.out) as { filename: string; files: { path: string }[] }[];
      const files = info.files.map((f) => f.path);
      expect(files).toContain('dist/src/cli.js');
      // What bin runs (prepack bundles after tsc): the start-up of a few files, not ~480.
      expect(files).toContain('dist/bundle/cli.js');
      expect(files).toContain('fixtures/bundles/realserver.reply-route/manifest.json');
      // `lab up --ipvs` builds its guest with these scripts from the installed package.
      expect(files).toContain('scripts/ipvs-vm/build.sh');
      expect(files).toContain('scripts/ipvs-vm/guest-init.sh');
      expect(files.some((f) => f.startsWith('test/'))).toBe(false);
      const shipped = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      // Installing must not build: no install-time lifecycle script at all.
      for (const script of ['prepare', 'preinstall', 'install', 'postinstall']) expect(shipped.scripts[script], script).toBeUndefined();

      const consumer = join(work, 'consumer');
      cpSync(join(work, info.filename), join(consumer, info.filename));
      writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { 'lvs-doctor': `file:${info.filename}` } }));
      writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(info.filename)));
      const installed = sh('npm', ['install', '--offline', '--no-audit', '--no-fund'], consumer);
      expect(installed.code, installed.err).toBe(0);
      expect(`${installed.out}${installed.err}`).not.toMatch(/prepare/);
      expect(existsSync(join(consumer, 'node_modules/lvs-doctor/src'))).toBe(false);
      expect(readdirSync(join(consumer, 'node_modules/.bin'))).toContain('lvs-doctor');

      const demo = sh(join(consumer, 'node_modules/.bin/lvs-doctor'), ['demo', '--format', 'text'], consumer);
      expect(demo.err).toBe('');
      expect(demo.code).toBe(2);
      expect(demo.out).toMatch(/realserver\.reply-route on rs1/);
      const help = sh(join(consumer, 'node_modules/.bin/lvs-doctor'), ['demo', '--help'], consumer);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/usage: lvs-doctor demo/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 600_000);
});
