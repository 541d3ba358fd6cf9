// The directory and sockets that --keep-connections leaves between runs.
import { chown, mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultReuseDir, ensurePrivateDir, sharedControlPath, socketAnswers, withOpenLock } from '../../src/transport/ssh-reuse.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvsd-reuse-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('defaultReuseDir', () => {
  it('is the per-user runtime directory, else a per-uid directory under /tmp', () => {
    expect(defaultReuseDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/lvs-doctor');
    expect(defaultReuseDir({}, 1000)).toMatch(/\/lvs-doctor-1000$/);
    // A socket path must stay short: a deep runtime directory is not used.
    expect(defaultReuseDir({ XDG_RUNTIME_DIR: `/${'x'.repeat(80)}` }, 7)).toMatch(/\/lvs-doctor-7$/);
  });
});

describe('sharedControlPath', () => {
  const base = { host: 'rs1', user: 'admin', port: 22, jump: 'lvs1', configFile: '/etc/ssh/lab', identityFile: '/k/id' };
  it('is stable for one connection and short enough for a Unix socket', () => {
    const p = sharedControlPath('/run/user/1000/lvs-doctor', 'ssh', base);
    expect(p).toBe(sharedControlPath('/run/user/1000/lvs-doctor', 'ssh', { ...base }));
    expect(p.length + '.lock.XXXXXXXXXXXXXXXX'.length).toBeLessThan(104);
  });
  it('differs whenever another connection would be made', () => {
    const variants = [base, { ...base, user: 'root' }, { ...base, port: 2222 }, { ...base, jump: undefined }, { ...base, configFile: '/other' }, { ...base, identityFile: undefined }, { ...base, host: 'rs2' }];
    const paths = variants.map((t) => sharedControlPath('/d', 'ssh', t));
    paths.push(sharedControlPath('/d', '/run/lab/ssh', base));
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe('ensurePrivateDir', () => {
  it('creates the directory closed to others', async () => {
    const d = join(dir, 'new', 'lvs-doctor');
    await ensurePrivateDir(d);
    expect((await stat(d)).mode & 0o777).toBe(0o700);
  });
  it('refuses a symlink, a directory of another user, and one others can open', async () => {
    const target = join(dir, 'target');
    await mkdir(target, { mode: 0o700 });
    await symlink(target, join(dir, 'link'));
    await expect(ensurePrivateDir(join(dir, 'link'))).rejects.toThrow(/not a directory \(a symlink\?\)/);
    const foreign = join(dir, 'foreign');
    await mkdir(foreign, { mode: 0o700 });
    await chown(foreign, 65534, 65534);
    await expect(ensurePrivateDir(foreign, 0)).rejects.toThrow(/belongs to uid 65534/);
    await expect(ensurePrivateDir(target, 4242)).rejects.toThrow(/belongs to uid/);
  });
});

describe('withOpenLock', () => {
  it('lets one caller open while the other waits for the master to be up', async () => {
    const path = join(dir, 'm-race');
    let up = false;
    let opens = 0;
    const open = async (): Promise<string> => {
      opens += 1;
      await new Promise((r) => setTimeout(r, 150));
      up = true;
      return 'opened';
    };
    const results = await Promise.all([withOpenLock(path, open, async () => up, { staleMs: 10_000, pollMs: 20 }), withOpenLock(path, open, async () => up, { staleMs: 10_000, pollMs: 20 })]);
    expect(opens).toBe(1);
    expect(results.sort()).toEqual(['opened', undefined].sort());
  });
  it('takes over a lock left by a run that died while connecting', async () => {
    const path = join(dir, 'm-stale');
    await mkdir(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    expect(await withOpenLock(path, async () => 'opened', async () => false, { staleMs: 20_000, pollMs: 20 })).toBe('opened');
    await expect(stat(`${path}.lock`)).rejects.toThrow();
  });
});

describe('socketAnswers', () => {
  it('is true while something listens on the socket, false for a plain file, a missing path or a dead socket', async () => {
    const path = join(dir, 'sock');
    const server = createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(path, r));
    expect(await socketAnswers(path)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await socketAnswers(path)).toBe(false);
    await writeFile(join(dir, 'plain'), '');
    expect(await socketAnswers(join(dir, 'plain'))).toBe(false);
    expect(await socketAnswers(join(dir, 'missing'))).toBe(false);
  });
});
