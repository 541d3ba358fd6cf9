// The fixes of real recorded faults as --fix sees them: realserver.rip-missing filled from the
// realserver's own capture (so it can be applied), and director.untranslated-leak built for what
// the director is (IPVS: the SNAT rule and the IPVS sysctl; netfilter NAT: nothing that would
// help, refused with the reason).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { actionsOf } from '../../src/fix/plan.js';
import type { Diagnosis, ResultDocument } from '../../src/model/result.js';
import type { Topology } from '../../src/model/topology.js';
import { readBundle, writeBundle } from '../../src/transport/bundle.js';

const root = new URL('../../fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'lvs-doctor-recorded-fixes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function topologyOf(dir: string): Promise<Topology> {
  return (await readBundle(dir)).manifest.topology as Topology;
}

function diagnosisOf(result: ResultDocument, id: string): Diagnosis {
  const d = result.diagnoses.find((x) => x.id === id);
  if (!d) throw new Error(`${id} not diagnosed: ${result.diagnoses.map((x) => x.id).join(', ')}`);
  return d;
}

describe('realserver.rip-missing', () => {
  it.each([
    ['bundles', '10.217', 'rec-lan'],
    ['bundles-ipvs', '10.131', 'recipvs-lan'],
  ])('fixtures/%s: the interface is the one the request arrived on; the route back goes with it', async (dir, net, lan) => {
    const result = await replayBundle(join(root, dir, 'realserver.rip-missing'));
    const d = diagnosisOf(result, 'realserver.rip-missing');
    expect(d.fixes.flatMap((f) => f.commands)).toEqual([`ip addr add ${net}.2.11/24 dev ${lan}`, `ip route add default via ${net}.2.1`]);
    expect(d.fixes[0].why).toContain(`arrived on rs1's ${lan}`);
    const { actions, refused } = actionsOf(d, await topologyOf(join(root, dir, 'realserver.rip-missing')));
    expect(refused).toBeUndefined();
    expect(actions.map((a) => a.action.kind)).toEqual(['address', 'route']);
  });

  it('without rs1 capture nor an address of the subnet: DEV stays and the refusal says what was missing', async () => {
    const bundle = await readBundle(join(root, 'bundles/realserver.rip-missing'));
    const entries = bundle.manifest.entries.filter((e) => !(e.host === 'rs1' && e.argv[0] === 'tcpdump'));
    const dir = join(scratch, 'rip-missing-uncaptured');
    await writeBundle(dir, { ...bundle, manifest: { ...bundle.manifest, entries }, files: new Map([...bundle.files].filter(([name]) => entries.some((e) => e.stdoutFile === name))) });
    const result = await replayBundle(dir);
    const d = diagnosisOf(result, 'realserver.rip-missing');
    expect(d.fixes[0].commands[0]).toBe('ip addr add 10.217.2.11/24 dev DEV');
    expect(actionsOf(d, await topologyOf(dir)).refused).toMatch(/placeholder DEV.*rs1 was not captured, and none of its interfaces holds an address of the RIP's subnet/);
  });
});

describe('director.untranslated-leak', () => {
  it('IPVS director: the SNAT rule and net.ipv4.vs.conntrack, both applicable', async () => {
    const result = await replayBundle(join(root, 'bundles-ipvs/director.untranslated-leak'));
    const d = diagnosisOf(result, 'director.untranslated-leak');
    expect(d.fixes.flatMap((f) => f.commands)).toEqual(['iptables -t nat -A POSTROUTING -s 10.131.2.11 -o recipvs-ext -j SNAT --to-source 10.131.100.1', 'sysctl -w net.ipv4.vs.conntrack=1']);
    const { actions, refused } = actionsOf(d, await topologyOf(join(root, 'bundles-ipvs/director.untranslated-leak')));
    expect(refused).toBeUndefined();
    expect(actions.map((a) => a.action.kind)).toEqual(['iptables-append', 'sysctl']);
  });

  it('netfilter-NAT director: no IPVS sysctl, no SNAT rule that could not translate; refused with why', async () => {
    const result = await replayBundle(join(root, 'bundles/director.untranslated-leak'));
    const d = diagnosisOf(result, 'director.untranslated-leak');
    const commands = d.fixes.flatMap((f) => f.commands);
    expect(commands.filter((c) => /net\.ipv4\.vs\.|SNAT/.test(c))).toEqual([]);
    expect(actionsOf(d, await topologyOf(join(root, 'bundles/director.untranslated-leak'))).refused).toMatch(/nothing lvs-doctor can apply and undo: .*the advice: .*INVALID to conntrack and never reaches the nat table, so no SNAT rule can translate it/);
  });
});
