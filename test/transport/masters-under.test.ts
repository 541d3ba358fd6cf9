// Finding a run's masters in /proc at close: by their command line, and without a 64 KiB buffer
// per process (the 100-realserver lab's ops namespace sees ~1000 processes).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMDLINE_MAX, mastersUnder, readHead } from '../../src/transport/socket-dirs.js';

const DIR = `/tmp/lvsd-masters-test-${process.pid}`;
let kids: ChildProcess[] = [];

/** A process whose command line reads like a master's (`sh -c 'sleep; :'` stays a shell, not exec'd). */
function fakeMaster(path: string): ChildProcess {
  return spawn('sh', ['-c', 'sleep 30; :', 'ssh', '-o', 'ControlMaster=yes', '-o', `ControlPath=${path}`, '-N', 'host'], { stdio: 'ignore' });
}

beforeAll(async () => {
  kids = [fakeMaster(`${DIR}/h0`), fakeMaster(`/tmp/other-run/h0`), ...Array.from({ length: 400 }, () => spawn('sleep', ['30'], { stdio: 'ignore' }))];
  await new Promise((resolve) => setTimeout(resolve, 500));
});
afterAll(() => kids.forEach((k) => k.kill('SIGKILL')));

describe('mastersUnder', () => {
  it('finds the masters listening under the directory, by ControlPath, and only those', async () => {
    const found = await mastersUnder(DIR);
    expect([...found]).toEqual([[`${DIR}/h0`, kids[0]!.pid]]);
  });

  it('reads /proc in small buffers: a few hundred processes cost a few MiB at most, not 64 KiB each', async () => {
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
    const before = process.memoryUsage().arrayBuffers;
    await mastersUnder(DIR);
    clearInterval(sample);
    const grown = Math.max(peak, process.memoryUsage().arrayBuffers) - before;
    // 400 processes read with fs.readFile: ~25 MiB.
    expect(grown).toBeLessThan(8 * 2 ** 20);
  });

  it('readHead reads at most the bytes asked for, in a buffer of that size', async () => {
    const head = await readHead('/proc/self/cmdline', 4);
    expect(head.length).toBe(4);
    expect(head.buffer.byteLength).toBeLessThanOrEqual(CMDLINE_MAX);
    // A whole command line when it fits.
    expect((await readHead('/proc/self/cmdline', CMDLINE_MAX)).equals(readFileSync('/proc/self/cmdline'))).toBe(true);
  });
});
