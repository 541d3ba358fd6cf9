// The realserver a test SYN reached, asked whether its kernel held the connection (`ss`,
// src/engine/held-connections.ts), on real recordings made so: fixtures/bundles-held (netns lab)
// and fixtures/bundles-ipvs-held (the real-IPVS guest). Asking changes no diagnosis, the
// question names the flow as the realserver's kernel sees it, and a realserver that dropped the
// SYN says it holds nothing: the live run was decided then, before the client sent its SYN again.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle } from '../../src/transport/bundle.js';
import { decodePcap } from '../../src/pcap/index.js';
import { holdsConnection } from '../../src/probes/ss.js';
import { parseSs } from '../../src/parsers/ss.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const runs = (dir: string): string[] => readdirSync(join(fixtures, dir)).filter((s) => existsSync(join(fixtures, dir, s, 'manifest.json')));
const digest = (dir: string, s: string): string => readFileSync(join(fixtures, dir, s, 'expected-digest.json'), 'utf8');

describe('recorded asking the realservers, diagnosed as recorded without', () => {
  for (const [held, without, count] of [['bundles-held', 'bundles-asked', 3], ['bundles-ipvs-held', 'bundles-ipvs-asked', 2]] as const) {
    it(`fixtures/${held}: each digest equals fixtures/${without}'s`, () => {
      expect(runs(held).length).toBe(count);
      for (const s of runs(held)) expect(digest(held, s), s).toBe(digest(without, s));
    });
  }
});

describe('what the realservers were asked, and said', () => {
  const questions = async (dir: string, s: string) => {
    const bundle = await readBundle(join(fixtures, dir, s));
    const { topology } = bundle.manifest;
    const asked = bundle.manifest.entries
      .filter((e) => e.argv[0] === 'ss' && e.argv[1] === '-tan')
      .map((e) => ({ host: e.host, argv: e.argv, exitCode: e.exitCode, stdout: Buffer.from(bundle.files.get(e.stdoutFile)!).toString('utf8') }));
    const client = bundle.manifest.entries.find((e) => e.argv[0] === 'tcpdump' && e.host === topology!.client.name)!;
    const packets = (await decodePcap(bundle.files.get(client.stdoutFile)!)).packets;
    const syns = packets.filter((p) => p.tcp?.flags.syn && !p.tcp.flags.ack && p.dst === topology!.service.vip);
    return { topology: topology!, asked, syns };
  };

  for (const dir of ['bundles-held', 'bundles-ipvs-held']) {
    it(`fixtures/${dir} realserver.silent-drop: rs1 asked once per connection, holding none; no SYN sent twice`, async () => {
      const { topology, asked, syns } = await questions(dir, 'realserver.silent-drop');
      const rs1 = topology.realservers.find((r) => r.name === 'rs1')!;
      const ports = [...new Set(syns.map((p) => p.tcp!.srcPort))].sort();
      // The client's connections each sent one SYN: the run was decided before a retransmission.
      expect(syns.length).toBe(ports.length);
      expect(asked.map((q) => q.host)).toEqual(ports.map(() => 'rs1'));
      expect(asked.map((q) => Number(q.argv.at(-1)!.split(':')[1])).sort()).toEqual(ports);
      for (const q of asked) {
        const [local, peer] = [q.argv[3], q.argv[5]].map((e) => e.split(':'));
        expect(local).toEqual([rs1.rip, String(rs1.port ?? topology.service.vport)]);
        expect(peer[0]).toBe(topology.client.cip);
        expect(q.exitCode).toBe(0);
        expect(holdsConnection(parseSs(q.stdout), { local: { address: local[0], port: Number(local[1]) }, peer: { address: peer[0], port: Number(peer[1]) } })).toBe(false);
      }
    });

    it(`fixtures/${dir} healthy: nothing is asked where the answers came back on the wire`, async () => {
      expect((await questions(dir, 'healthy')).asked).toEqual([]);
    });
  }

  // The netns lab's untranslated-leak: rs1's SYN+ACK is not on its capture when asked (it leaves
  // a second later, with the SYN+ACK sent again), and its kernel holds the connection: the run
  // waited for the client's retransmission, as a run not asking did.
  it('fixtures/bundles-held director.untranslated-leak: rs1 holds each connection (SYN-RECV), so each SYN was sent again before the decision', async () => {
    const { asked, syns } = await questions('bundles-held', 'director.untranslated-leak');
    const ports = [...new Set(syns.map((p) => p.tcp!.srcPort))].sort();
    expect(asked.map((q) => Number(q.argv.at(-1)!.split(':')[1])).sort()).toEqual(ports);
    for (const q of asked) {
      const [local, peer] = [q.argv[3], q.argv[5]].map((e) => e.split(':'));
      expect(holdsConnection(parseSs(q.stdout), { local: { address: local[0], port: Number(local[1]) }, peer: { address: peer[0], port: Number(peer[1]) } }), q.stdout).toBe(true);
      expect(q.stdout).toMatch(/^SYN-RECV /m);
    }
    for (const port of ports) expect(syns.filter((p) => p.tcp!.srcPort === port).length, `${port}`).toBe(2);
  });
});
