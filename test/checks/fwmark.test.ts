// q3.fwmark judges the present: the MARK rule's counters are read before and after this run's
// test connection, and only their growth over it passes. Real recordings of the firewall-mark
// lab on the real-IPVS guest (fixtures/bundles-ipvs/SOURCES.md); a bundle without the after
// reading (recorded before it existed, or with it cut out here) keeps the old rule of counters,
// less sure and saying so.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import type { CheckResult } from '../../src/model/check.js';

const root = join(import.meta.dirname, '../../fixtures/bundles-ipvs');

async function fwmarkOf(dir: string): Promise<CheckResult> {
  const r = await replayBundle(dir);
  const c = r.checks.find((x) => x.id === 'q3.fwmark');
  if (!c) throw new Error(`${dir}: no q3.fwmark`);
  return c;
}

/** The bundle as if recorded before the after reading existed: its entry taken out. */
async function withoutAfterReading(name: string): Promise<CheckResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-doctor-fwmark-'));
  try {
    cpSync(join(root, name), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: { argv: string[] }[] };
    const before = manifest.entries.length;
    manifest.entries = manifest.entries.filter((e) => e.argv.join(' ') !== 'iptables-save -c -t mangle');
    expect(manifest.entries.length).toBe(before - 1);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return await fwmarkOf(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MARK_RULE = '-A PREROUTING -d 10.44.100.1/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x7/0xffffffff';

describe('q3.fwmark on the counters of this run', () => {
  it("passes the rule --fix just added: [0:0] before, [16:1081] after the test connection", async () => {
    const c = await fwmarkOf(join(root, 'fwmark-fix-verifying'));
    expect(c.verdict).toBe('pass');
    expect(c.summary).toBe(`the rule setting mark 7 (line 8: ${MARK_RULE}) matched 16 packet(s) of this run's test connection`);
    expect(c.evidence.map((e) => [e.command, e.note, e.lines])).toEqual([
      ['iptables-save -c', 'before the test connection', [`[0:0] ${MARK_RULE}`]],
      ['iptables-save -c -t mangle', 'after the test connection', [`[16:1081] ${MARK_RULE}`]],
    ]);
  });

  it('passes the healthy firewall-mark lab on the growth, not on the earlier count', async () => {
    const c = await fwmarkOf(join(root, 'fwmark-healthy'));
    expect(c.verdict).toBe('pass');
    expect(c.summary).toContain("matched 17 packet(s) of this run's test connection");
  });

  it('fails a rule whose count is from earlier traffic and did not grow while the SYN reached ext', async () => {
    const c = await fwmarkOf(join(root, 'fwmark-stale-counters'));
    expect(c.verdict).toBe('fail');
    expect(c.fault).toBe('client.fwmark-unmarked');
    expect(c.faultHosts).toEqual(['director']);
    expect(c.summary).toBe(`the test connection's SYN reached fwm1-ext but the rule setting mark 7 (line 9: ${MARK_RULE}) counted none of its packets: the FWM service never sees them`);
    expect(c.evidence.map((e) => e.lines)).toEqual([[`[50:3347] ${MARK_RULE}`], [`[50:3347] ${MARK_RULE}`]]);
    expect(c.fixes[0]?.commands).toEqual(['iptables -t mangle -A PREROUTING -d 10.44.100.1/32 -p tcp --dport 80 -j MARK --set-mark 7']);
  });

  it('without the after reading: the counters as they were, less sure, saying they are not from this run', async () => {
    const stale = await withoutAfterReading('fwmark-stale-counters');
    expect(stale.verdict).toBe('pass');
    expect(stale.summary).toBe('mark 7 is set by 1 mangle rule(s) (the counters were read only before the test connection: they are not from this run)');
    const fresh = await withoutAfterReading('fwmark-fix-verifying');
    expect(fresh.verdict).toBe('fail');
    expect(fresh.fault).toBe('client.fwmark-unmarked');
    expect(fresh.summary).toContain('has matched no packet (the counters were read only before the test connection');
    expect(fresh.evidence[0]?.note).toBe('the counters were read only before the test connection: they are not from this run');
  });

  it('names client.fwmark-unmarked on the lab fault (no MARK rule at all), in a bundle from before the after reading', async () => {
    const c = await fwmarkOf(join(root, 'client.fwmark-unmarked'));
    expect(c.verdict).toBe('fail');
    expect(c.fault).toBe('client.fwmark-unmarked');
    expect(c.summary).toBe('no mangle rule sets mark 7: the FWM service never sees a packet');
  });
});
