// The executable keeps V8's young generation at its first size (bin/lvs-doctor.js): left to
// grow, it took 2 x 16 MiB of a 100-realserver run's ~130 MiB. Checked in a process started
// through the bin as users start it, after an allocation burst like a hundred hosts' outputs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/lvs-doctor.js', import.meta.url));

const PROBE = `
process.argv.splice(2, 1);
await import(${JSON.stringify(BIN)});
const v8 = await import('node:v8');
const kept = [];
for (let i = 0; i < 3e6; i++) kept.push({ i });
const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
console.log(JSON.stringify({ youngMiB: young.space_size / 2 ** 20 }));
`;

it('keeps the young generation small after an allocation burst (a run through the bin)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-young-'));
  try {
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    const r = spawnSync(process.execPath, [probe, 'x', '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    // Left to grow, V8 takes it to 32 MiB here; at its first size it stays at 1-2 MiB.
    expect((JSON.parse(last) as { youngMiB: number }).youngMiB).toBeLessThanOrEqual(4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
