// A realserver that answers a probe with an endless flood: the doctor stops that command at
// its output cap, reports the probe failed naming the cap, finishes the diagnosis, and its
// peak memory stays bounded. The flood is real: on rs1 only, inside its sshd's own mount
// namespace, `ss` (its own ssh session) and `sysctl` (a quick read, through the host's
// channel) are bind-mounted over by shims that never stop writing.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labExec, labUp } from '../../src/lab/index.js';
import type { ResultDocument } from '../../src/model/result.js';
import { labSkipReason } from '../lab/helpers.js';

const PREFIX = 'ut';
const skip = labSkipReason(PREFIX);
const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');
const PEAK_RSS_BOUND_KIB = 150 * 1024;

describe.skipIf(skip !== null)(`a flooding realserver${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const shims = mkdtempSync(join(tmpdir(), 'lvsd-flood-'));
  beforeAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
    await labUp({ prefix: PREFIX });
    // Lines without end, and one line without end.
    writeFileSync(join(shims, 'lines'), '#!/bin/sh\nexec yes "tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* flood"\n');
    writeFileSync(join(shims, 'line'), '#!/bin/sh\nexec cat /dev/zero\n');
    for (const f of ['lines', 'line']) chmodSync(join(shims, f), 0o755);
    for (const [tool, shim] of [['ss', 'lines'], ['sysctl', 'line']]) {
      const r = await labExec(PREFIX, 'rs1', ['sh', '-c', `mount --bind ${join(shims, shim)} "$(command -v ${tool})"`]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  }, 180_000);
  afterAll(async () => {
    const { leftovers } = await labDown(PREFIX);
    rmSync(shims, { recursive: true, force: true });
    expect(leftovers).toEqual([]);
  }, 60_000);

  it('the flooded probes fail naming the cap, the diagnosis completes, peak RSS stays under 150 MiB', () => {
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, bin, 'lab', 'diagnose', '--prefix', PREFIX, '--json'], { encoding: 'utf8', timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
    const doc = JSON.parse(r.stdout) as ResultDocument;
    // The rest of the diagnosis ran: the other realservers' checks, the test connection.
    expect(doc.checks.length).toBeGreaterThan(10);
    expect(doc.hops.length).toBe(4);
    // Only the flooded commands failed: rs1 still answered its other probes.
    expect(doc.hosts.find((h) => h.name === 'rs1')?.status).toBe('reachable');
    const page = r.stdout;
    expect(page).toMatch(/stdout passed the output cap \(line count of 16 MiB, 200000 lines, 1 MiB a line\)/);
    expect(page).toMatch(/stdout passed the output cap \(line length of 16 MiB, 200000 lines, 1 MiB a line\)/);
    // Nothing of the flood was copied into the document.
    expect(page.length).toBeLessThan(4 * 1024 * 1024);
    const peak = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(PEAK_RSS_BOUND_KIB);
  }, 180_000);
});
