// The engine over real recorded bundles, with the failures a real run meets injected into the
// recording: an unreachable realserver, a malformed output. The run always completes.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { replayBundle } from '../../src/engine/replay-bundle.js';

const healthy = join(import.meta.dirname, '../../fixtures/bundles/healthy');

interface Entry { host: string; argv: string[]; stdoutFile: string; exitCode: number; transportError?: { kind: string; message: string } }

function mutated(change: (entries: Entry[], dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-engine-'));
  cpSync(healthy, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: Entry[] };
  change(manifest.entries, dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('runDiagnosis over a recorded healthy lab', () => {
  it('proves every hop and names no fault', async () => {
    const r = await replayBundle(healthy);
    expect(r.verdict).toBe('ok');
    expect(r.diagnoses).toEqual([]);
    expect(r.hops.map((h) => h.status)).toEqual(['seen', 'seen', 'seen', 'seen']);
    expect(r.proven.length).toBeGreaterThan(5);
    expect(r.checks.every((c) => c.verdict === 'pass' || c.verdict === 'skip')).toBe(true);
  });

  it('a realserver that stops answering ssh becomes unreachable; the run completes and says what it could not prove', async () => {
    const dir = mutated((entries) => {
      for (const e of entries) if (e.host === 'rs2') e.transportError = { kind: 'unreachable', message: 'ssh: connect to host rs2 port 22: Connection refused' };
    });
    try {
      const r = await replayBundle(dir);
      expect(r.hosts.find((h) => h.name === 'rs2')?.status).toBe('unreachable');
      expect(r.hosts.filter((h) => h.status === 'reachable').map((h) => h.name).sort()).toEqual(['client', 'director', 'rs1', 'rs3']);
      expect(r.unproven.join('\n')).toMatch(/rs2 \(realserver\) was not probed: unreachable/);
      expect(r.diagnoses).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a malformed output makes its check `error` with the parser\'s words; the other checks still run', async () => {
    const dir = mutated((entries, d) => {
      const e = entries.find((x) => x.host === 'director' && x.argv.join(' ') === 'ip -o addr')!;
      writeFileSync(join(d, e.stdoutFile), 'this is not ip -o addr output\n');
    });
    try {
      const r = await replayBundle(dir);
      const vip = r.checks.find((c) => c.id === 'setup.vip-local')!;
      expect(vip.verdict).toBe('error');
      expect(vip.summary).toMatch(/ip -o addr on director: line 1: expected an 'ip -o addr' line/);
      expect(r.verdict).toBe('unknown');
      expect(r.checks.find((c) => c.id === 'setup.ip-forward')?.verdict).toBe('pass');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
