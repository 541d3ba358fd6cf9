// A capture started amid traffic its filter refuses: libpcap counts the packets that came
// before its filter was set as "received by filter" and never writes them. The doctor asks
// tcpdump for its counters once it listens, before the test connection, and counts only what
// goes beyond them as unread. The bundle is a real run of director.rp-filter on the netns lab
// with such traffic on the director's int (fixtures/captures/lab-counters/capture.sh): its int
// capture said "0 captured, 43 received" when armed and the same at the end. held-stopped.stderr:
// the client's capture asked when armed, then held stopped through 12 pings (24 packets).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { captureLosses } from '../../src/engine/test-connection.js';
import { readRequestedCounters, readRequestedCountersLine } from '../../src/parsers/tcpdump-text.js';

const bundle = join(import.meta.dirname, '../../fixtures/captures/lab-counters/bundle');
const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { topology: { director: { int: string } }; entries: { argv: string[]; stderr: string }[] };
const intCapture = manifest.entries.find((e) => e.argv[0] === 'tcpdump' && e.argv.includes(manifest.topology.director.int))!;
const held = readFileSync(join(bundle, '../held-stopped.stderr'), 'utf8').split('\n').filter(Boolean);
const scratch = mkdtempSync(join(tmpdir(), 'lvsd-counters-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hop2AtInt = (r: Awaited<ReturnType<typeof replayBundle>>) =>
  r.hops?.find((h) => h.index === 2)?.observations.find((o) => o.iface === manifest.topology.director.int);

describe('counters tcpdump prints when asked while it runs', () => {
  it('read from its one-line form, the first of a run being the one taken when it listened', () => {
    // Real stderr only: the one-line form when asked, the exit counters one a line.
    expect(held.map(readRequestedCountersLine)).toEqual([null, null, { captured: 0, receivedByFilter: 0, droppedByKernel: 0 }, null, null, null]);
    expect(readRequestedCounters(intCapture.stderr)).toEqual({ captured: 0, receivedByFilter: 43, droppedByKernel: 0 });
  });

  it('what was counted before the test connection is not unread at its end', () => {
    expect(captureLosses(intCapture.stderr)).toEqual({});
    // Without the armed counters the same exit counters read as 43 packets never written.
    expect(captureLosses(withoutArmedCounters(intCapture.stderr))).toEqual({ unread: 43 });
    // A capture held while packets passed still counts what it never wrote beyond them.
    expect(captureLosses(held.join('\n'))).toEqual({ unread: 24 });
  });
});

describe('director.rp-filter recorded with refused traffic on the int', () => {
  it('replays to the diagnosis, hop 2 missing at the int (the rewritten SYN never left)', async () => {
    const r = await replayBundle(bundle);
    expect(r.diagnoses[0]?.id).toBe('director.rp-filter');
    expect(hop2AtInt(r)?.status).toBe('missing');
  });

  it('the same run without the armed counters: hop 2 unproven, as runs were before they were asked for', async () => {
    const copy = join(scratch, 'no-armed-counters');
    cpSync(bundle, copy, { recursive: true });
    const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as typeof manifest;
    for (const e of m.entries) if (e.argv[0] === 'tcpdump') e.stderr = withoutArmedCounters(e.stderr);
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m, null, 2));
    const r = await replayBundle(copy);
    expect(hop2AtInt(r)?.status).toBe('not-captured');
    expect(r.checks.find((c) => c.id === 'q3.request-forwarded')?.verdict).toBe('unknown');
  });
});

function withoutArmedCounters(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => readRequestedCountersLine(l) === null)
    .join('\n');
}
