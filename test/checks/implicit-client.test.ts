// Issue 16.5: without --client this machine is taken as the client. When it is not on the client
// side (a bastion: no route to the VIP, or its SYN never reaches the director's ext), the client
// checks are unproven, with the hint to pass --client, instead of FAIL client.no-route-to-vip.
// The recorded lab run (fixtures/bundles/client.no-route-to-vip) is replayed with its client
// marked as this machine, the way discovery and an inventory without a client mark it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/discover/inventory.js';
import { TopologyError, validateTopology } from '../../src/discover/topology-check.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';

const bundle = new URL('../../fixtures/bundles/client.no-route-to-vip', import.meta.url).pathname;

function asThisMachine(client: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-implicit-'));
  cpSync(bundle, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { topology: { client: unknown } };
  manifest.topology.client = client;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('a client nobody named', () => {
  it('a named client that cannot reach the VIP is still the client fault', async () => {
    const r = await replayBundle(bundle);
    expect(r.diagnoses[0]?.id).toBe('client.no-route-to-vip');
  });

  it('this machine failing the same way is unproven, with the hint to pass --client', async () => {
    const dir = asThisMachine({ name: 'client', role: 'client', access: 'local', cip: '10.217.1.10', implicit: true });
    try {
      const r = await replayBundle(dir);
      expect(r.diagnoses.map((d) => d.id)).not.toContain('client.no-route-to-vip');
      expect(r.verdict).toBe('unknown');
      const check = r.checks.find((c) => c.id === 'q3.request-reaches-director');
      expect(check?.verdict).toBe('unknown');
      expect(check?.summary).toMatch(/^this machine was taken as the client \(none was named\) and .*: it is not on the client side, so the client's view is unproven; pass --client HOST/);
      expect(r.unproven.join('\n')).toContain('q3.request-reaches-director: this machine was taken as the client');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('an inventory without a client, and a bundle saying so, mark it; anything but true is refused', () => {
    const service = 'service: { protocol: TCP, vip: 10.0.0.10, vport: 80 }\ndirector: { name: director, access: local }\n';
    expect(parseInventory(service).topology.client).toEqual({ name: 'client', role: 'client', access: 'local', implicit: true });
    expect(parseInventory(`${service}client: { name: c1, access: local }\n`).topology.client.implicit).toBeUndefined();
    const recorded = { service: { protocol: 'TCP', vip: '10.0.0.10', vport: 80 }, director: { name: 'director', access: 'local' }, realservers: [] };
    expect(validateTopology({ ...recorded, client: { name: 'client', access: 'local', implicit: true } }, 'm.json').client.implicit).toBe(true);
    expect(() => validateTopology({ ...recorded, client: { name: 'client', access: 'local', implicit: 'yes' } }, 'm.json')).toThrow(TopologyError);
  });
});
