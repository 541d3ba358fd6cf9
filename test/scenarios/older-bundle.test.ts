// A bundle recorded by an older doctor lacks the probes added since: the checks that read such
// a probe are skipped ("not recorded in this bundle"), not unknown, and the rest still judge.
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayBundle } from '../../src/commands/replay-bundle.js';

const healthy = join(import.meta.dirname, '../../fixtures/bundles/healthy');
const temp = mkdtempSync(join(tmpdir(), 'lvsd-older-bundle-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Entry {
  host: string;
  argv: string[];
  stdoutFile: string;
}

/** A copy of the healthy bundle without the director's run of `argv0 ...`. */
function withoutEntry(host: string, argv0: string): string {
  const dir = join(temp, `${host}-${argv0}`);
  cpSync(healthy, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { entries: Entry[] };
  const dropped = manifest.entries.filter((e) => e.host === host && e.argv[0] === argv0);
  expect(dropped).toHaveLength(1);
  manifest.entries = manifest.entries.filter((e) => !dropped.includes(e));
  for (const e of dropped) unlinkSync(join(dir, e.stdoutFile));
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

describe('a probe missing from an older bundle', () => {
  it('the full bundle judges ip_forward (pass)', async () => {
    const result = await replayBundle(healthy);
    expect(result.checks.find((c) => c.id === 'setup.ip-forward')?.verdict).toBe('pass');
  });

  it("without the director's sysctl run, the checks reading it skip with the reason", async () => {
    const result = await replayBundle(withoutEntry('director', 'sysctl'));
    const ipForward = result.checks.find((c) => c.id === 'setup.ip-forward')!;
    expect(ipForward.verdict).toBe('skip');
    expect(ipForward.reason).toBe('not recorded in this bundle');
    expect(ipForward.summary).toMatch(/^not recorded in this bundle: sysctl -e net\.ipv4\.ip_forward .* on director$/);
    // Checks that read only what was recorded still judge as before.
    expect(result.checks.find((c) => c.id === 'setup.vip-local')?.verdict).toBe('pass');
    expect(result.checks.filter((c) => c.verdict === 'unknown').map((c) => c.id)).toEqual([]);
  });
});
