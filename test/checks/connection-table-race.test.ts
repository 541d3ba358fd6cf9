// q3.connection-table against a table read that raced the wire, recorded on the real-IPVS guest
// (fixtures/bundles-arp/ipvs-director.arp-ignore-late-syns, SOURCES.md): arp_ignore 8 on the
// director's ext held the client's SYNs in its ARP queue until after its tools had ended; they
// went out, their SYN+ACKs came back through the director, and ipvsadm -Lnc was read before the
// client's RSTs landed.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayBundle } from '../../src/commands/replay-bundle.js';

describe('q3.connection-table: half-open entries the wire shows answered through the director', () => {
  it('SYNs that left the ARP queue after their tools ended, answered through the director and reset by the client: the table read between them is not a stalled return path', async () => {
    const r = await replayBundle(join(import.meta.dirname, '../../fixtures/bundles-arp/ipvs-director.arp-ignore-late-syns'));
    expect(r.hops.map((h) => h.status)).toEqual(['seen', 'seen', 'seen', 'seen']);
    const table = r.checks.find((c) => c.id === 'q3.connection-table')!;
    expect(table.verdict).toBe('pass');
    expect(table.summary).toContain('on the wire; the table said');
    expect(table.notes?.join(' ')).toMatch(/10\.214\.1\.10:48186 -> rs3 SYN_RECV.*hops 3 and 4\): the table was read before the rest of the exchange landed/);
    expect(r.diagnoses.map((d) => d.id)).not.toContain('director.return-path-stalled');
  });
});
