// Discovery on the namespace lab, given only the director: the service from the director's
// NAT rules, ext/int/DIP from its addresses, the client's address, the realservers.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Discovery } from '../../src/discover/discover.js';
import { discoverOverSsh } from '../../src/discover/index.js';
import { inventoryToYaml } from '../../src/discover/inventory-yaml.js';
import { parseInventory } from '../../src/discover/inventory.js';
import type { LabInfo } from '../../src/lab/index.js';

const PREFIX = 'fc6d';
const root = process.getuid?.() === 0;
const labThere = existsSync(new URL('../../src/lab/index.ts', import.meta.url).pathname) && existsSync(new URL('../../src/transport/ssh.ts', import.meta.url).pathname);
const skipReason = !root ? 'not root: the lab needs network namespaces' : !labThere ? 'src/lab or src/transport/ssh.ts not there yet' : null;

describe.skipIf(skipReason !== null)(`discovery on the lab${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let lab: LabInfo;
  let found: Discovery;

  beforeAll(async () => {
    const { labUp } = await import('../../src/lab/index.js');
    lab = await labUp({ prefix: PREFIX });
    found = await discoverOverSsh({ director: 'director', client: 'client', vip: lab.service.vip, vport: lab.service.vport, sshPath: lab.sshWrapper });
  });

  afterAll(async () => {
    const { labDown } = await import('../../src/lab/index.js');
    await labDown(PREFIX);
  });

  it('with several services on the VIP (the lab keeps VIP:443 too), asks which one, listing them', async () => {
    await expect(discoverOverSsh({ director: 'director', vip: lab.service.vip, sshPath: lab.sshWrapper })).rejects.toThrow(
      /2 virtual services .* choose one with --vip[\s\S]*:80 [\s\S]*:443 /,
    );
  });

  it('names the service and every realserver with its port (port remapping kept)', () => {
    expect(found.topology.service).toEqual(lab.service);
    expect(found.topology.realservers.map((r) => [r.rip, r.rport])).toEqual(lab.realservers.map((r) => [r.rip, r.rport]));
  });

  it("finds the director's ext, int and DIP, and the client's address", () => {
    expect(found.topology.director).toMatchObject({ ext: lab.ext, int: lab.int, dip: lab.dip });
    expect(found.topology.client).toMatchObject({ access: 'ssh', ssh: { host: 'client' }, cip: lab.cip });
  });

  it('settles each realserver: reachable over ssh, or off-limits with the reason in the notes', () => {
    for (const rs of found.topology.realservers) {
      if (rs.access === 'none') expect(found.notes.some((n) => n.startsWith(`${rs.name} (${rs.rip}) refused ssh`))).toBe(true);
      else expect(rs.access).toBe('ssh');
    }
  });

  it('writes an inventory the loader accepts', () => {
    const back = parseInventory(inventoryToYaml(found.topology, { notes: found.notes, sshConfig: lab.sshConfig }));
    expect(back.topology.service).toEqual(lab.service);
  });
});
