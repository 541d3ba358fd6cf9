// The private socket directories of runs killed with -9: the next run removes those of PIDs
// that are gone, and nothing else (a live run's, a symlink, another user's, an unexpected entry).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRunSocketDir, pidAlive, sweepStaleSocketDirs } from '../../src/transport/socket-dirs.js';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'lvsd-sweep-test-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

/** A PID that ran and is gone (a child that exited). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

describe('run socket directories', () => {
  it('are named for the PID and private', async () => {
    const dir = await makeRunSocketDir(parent);
    expect(dir).toMatch(new RegExp(`/lvsd-${process.pid}-[A-Za-z0-9]{6}$`));
  });

  it('of dead runs are removed, entry by entry; live runs, symlinks, foreign or odd ones stay', async () => {
    const dead = deadPid();
    expect(pidAlive(dead)).toBe(false);
    const stale = await makeRunSocketDir(parent, dead);
    writeFileSync(join(stale, 'h0'), '');
    writeFileSync(join(stale, 'h1.log'), 'x');
    // A link inside points at a file outside: the link goes, its target stays.
    const outside = join(parent, 'precious');
    writeFileSync(outside, 'keep me');
    symlinkSync(outside, join(stale, 'h2'));
    const live = await makeRunSocketDir(parent, process.ppid);
    // A symlink named like a dead run's directory, pointing at a real directory.
    const target = join(parent, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'h0'), '');
    symlinkSync(target, join(parent, `lvsd-${dead}-aaaaaa`));
    // A dead run's directory owned by someone else, and one holding a subdirectory.
    const foreign = await makeRunSocketDir(parent, dead);
    chownSync(foreign, 12345, 12345);
    const odd = await makeRunSocketDir(parent, dead);
    mkdirSync(join(odd, 'sub'));
    const removed = await sweepStaleSocketDirs(parent);
    expect(removed).toEqual([stale]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(join(target, 'h0'))).toBe(true);
    expect(existsSync(join(parent, `lvsd-${dead}-aaaaaa`))).toBe(true);
    expect(existsSync(foreign)).toBe(true);
    expect(existsSync(join(odd, 'sub'))).toBe(true);
  });
});
