// The director's two sides in one `tcpdump -i any` capture, told apart by interface index
// (src/engine/director-sides.ts), on real recordings of the netns lab: fixtures/bundles-sides
// (recorded so) and fixtures/bundles (recorded with one capture on each side, before).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle, type Bundle } from '../../src/transport/bundle.js';
import { ReplayTransport } from '../../src/transport/replay.js';
import { decodePcap } from '../../src/pcap/index.js';
import { parseIpAddr } from '../../src/parsers/ip-addr.js';
import { interfaceNames, recordedBothSides, splitDirectorSides, unnamedSide } from '../../src/engine/director-sides.js';
import type { Packet } from '../../src/model/packet.js';
import type { ResultDocument } from '../../src/model/result.js';
import { runDiagnosis } from '../../src/engine/run.js';
import { recordedTestConnection } from '../../src/engine/probes-alongside.js';
import { CHECKS } from '../../checks/index.js';

const fixtures = join(import.meta.dirname, '../../fixtures');

function entry(bundle: Bundle, host: string, test: (argv: readonly string[]) => boolean): { stdout: Uint8Array; argv: readonly string[] } {
  const e = bundle.manifest.entries.find((x) => x.host === host && test(x.argv));
  if (!e) throw new Error(`no ${host} entry`);
  return { stdout: bundle.files.get(e.stdoutFile)!, argv: e.argv };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const line = (p: Packet): string => `${p.link.direction} ${p.src}>${p.dst} ${p.tcp ? `${p.tcp.flags.syn ? 'S' : ''}${p.tcp.flags.ack ? 'A' : ''}${p.tcp.flags.fin ? 'F' : ''}${p.tcp.flags.rst ? 'R' : ''}` : p.protocol}`;

describe('splitDirectorSides, on the director\'s recorded -i any capture', async () => {
  const bundle = await readBundle(join(fixtures, 'bundles-sides/healthy'));
  const { topology } = bundle.manifest;
  const { vip } = topology!.service;
  const { ext, int } = topology!.director;
  const capture = entry(bundle, 'director', (a) => a[0] === 'tcpdump');
  const names = interfaceNames(parseIpAddr(text(entry(bundle, 'director', (a) => a.join(' ') === 'ip -o addr').stdout)));
  const packets = (await decodePcap(capture.stdout)).packets;
  const sides = splitDirectorSides(packets, names, { ext: ext!, int: int! });
  const rips = new Set(topology!.realservers.map((r) => r.rip));

  it('was captured on any, asking for the headers that carry the interface index', () => {
    expect(capture.argv.slice(capture.argv.indexOf('-i'), capture.argv.indexOf('-i') + 4)).toEqual(['-i', 'any', '-y', 'LINUX_SLL2']);
    expect(packets.every((p) => p.link.kind === 'linux-sll2' && p.link.ifindex !== null)).toBe(true);
  });

  it('names both sides from the director\'s ip -o addr', () => {
    expect(unnamedSide(names, { ext: ext!, int: int! })).toBeNull();
    expect(unnamedSide(names, { ext: ext!, int: 'eth9' })).toBe('eth9');
    expect(unnamedSide(names, { ext: 'eth9', int: int! })).toBe('eth9');
  });

  it('puts the client\'s packets to the VIP and their rewritten replies on ext, the rewritten SYNs and the realservers\' replies on int', () => {
    expect(sides.ext.length).toBeGreaterThan(0);
    expect(sides.int.length).toBeGreaterThan(0);
    expect(sides.ext.every((p) => p.link.interface === ext)).toBe(true);
    expect(sides.int.every((p) => p.link.interface === int)).toBe(true);
    // The client's side speaks with the VIP only; the realservers' side with the RIPs only.
    expect(sides.ext.filter((p) => p.tcp).every((p) => p.src === vip || p.dst === vip)).toBe(true);
    expect(sides.int.filter((p) => p.tcp).every((p) => rips.has(p.src!) || rips.has(p.dst!))).toBe(true);
    expect(sides.ext.map(line)).toContain(`in ${topology!.client.cip}>${vip} S`);
    expect(sides.ext.map(line)).toContain(`out ${vip}>${topology!.client.cip} SA`);
    expect(sides.int.map(line).some((l) => l.startsWith(`out ${topology!.client.cip}>`) && l.endsWith(' S'))).toBe(true);
    expect(sides.int.map(line).some((l) => l.startsWith('in ') && l.includes(`>${topology!.client.cip} SA`))).toBe(true);
  });

  it('loses no packet of either side, and puts none on both', () => {
    const sideIndexes = new Set([...names].filter(([, n]) => n === ext || n === int).map(([i]) => i));
    expect(sides.ext.length + sides.int.length).toBe(packets.filter((p) => sideIndexes.has(p.link.ifindex!)).length);
  });
});

describe('recordedBothSides', () => {
  it('says how the director was captured, on the director only (the realservers and the client capture on any in every bundle)', async () => {
    expect(recordedBothSides(await ReplayTransport.open(join(fixtures, 'bundles-sides/healthy')), 'director')).toBe(true);
    expect(recordedBothSides(await ReplayTransport.open(join(fixtures, 'bundles/healthy')), 'director')).toBe(false);
    expect(recordedBothSides(await ReplayTransport.open(join(fixtures, 'bundles-ipvs/healthy')), 'director')).toBe(false);
  });
});

/** The recorded runs of a fixtures folder (its notes left out). */
const runs = (dir: string): string[] => readdirSync(join(fixtures, dir)).filter((s) => existsSync(join(fixtures, dir, s, 'expected-digest.json')));
const digestOf = (dir: string, s: string): string => readFileSync(join(fixtures, dir, s, 'expected-digest.json'), 'utf8');
const named = (dir: string, s: string): string => {
  const d = JSON.parse(digestOf(dir, s)) as { verdict: string; diagnoses: { id: string; hosts: string[] }[] };
  return `${d.verdict} ${d.diagnoses[0] ? `${d.diagnoses[0].id}@${d.diagnoses[0].hosts.join(',')}` : '-'}`;
};

describe('the same netns lab faults recorded both ways', () => {
  const recorded = runs('bundles-sides').filter((s) => runs('bundles').includes(s));
  const digest = digestOf;

  it('are every fault of fixtures/bundles but the one that is no lab fault', () => {
    expect(recorded.length).toBe(runs('bundles').filter((s) => s !== 'director.rp-filter-client-arp').length);
  });

  for (const s of recorded) {
    it(`${s}: one capture of both sides gives the diagnosis one capture on each side gave`, () => {
      expect(digest('bundles-sides', s)).toBe(digest('bundles', s));
    });
  }

  it('a tcpdump without LINUX_SLL2: the captures standing by on each side give the healthy diagnosis', () => {
    expect(digest('bundles-sides', 'healthy.tcpdump-without-sll2')).toBe(digest('bundles', 'healthy'));
  });
});

describe('the same real-IPVS lab faults recorded both ways', () => {
  const recorded = runs('bundles-ipvs-sides').filter((s) => runs('bundles-ipvs').includes(s));
  // Readings of other probes that differed between the two recordings (fixtures/bundles-ipvs-sides/SOURCES.md).
  const otherwise: Record<string, string> = {
    'client.no-route-to-vip': 'the earlier recording\'s `ip rule` failed on the director: setup.snat-reroute was unknown',
    'director.send-redirects': 'rs2 also held a cached redirect this time: realserver.redirect-accepted names rs1 and rs2',
  };

  it('are every lab fault of fixtures/bundles-ipvs', () => {
    expect(recorded.length).toBe(runs('bundles-ipvs').filter((s) => existsSync(join(fixtures, 'bundles-ipvs', s, 'injected.json'))).length);
  });

  for (const s of recorded) {
    it(`${s}: the same first diagnosis on the same hosts${otherwise[s] ? '' : ', and the same digest'}`, () => {
      expect(named('bundles-ipvs-sides', s)).toBe(named('bundles-ipvs', s));
      if (otherwise[s]) expect(digestOf('bundles-ipvs-sides', s), otherwise[s]).not.toBe(digestOf('bundles-ipvs', s));
      else expect(digestOf('bundles-ipvs-sides', s)).toBe(digestOf('bundles-ipvs', s));
    });
  }
});

describe('a director whose addresses cannot be read', () => {
  it('its one capture proves nothing on either side, said so, and no hop it carries is judged missing', async () => {
    const bundle = await readBundle(join(fixtures, 'bundles-sides/healthy'));
    // The recorded run without its director's `ip -o addr`: the replay answers that probe with a miss.
    const without: Bundle = { ...bundle, manifest: { ...bundle.manifest, entries: bundle.manifest.entries.filter((e) => !(e.host === 'director' && e.argv.join(' ') === 'ip -o addr')) } };
    const transport = new ReplayTransport(without);
    let result: ResultDocument | null = null;
    for await (const event of runDiagnosis({ transport, topology: without.manifest.topology!, checks: CHECKS, mode: 'replay', testConnection: recordedTestConnection(transport) })) {
      if (event.type === 'run-end') result = event.result;
    }
    const director = result!.hops.flatMap((h) => h.observations.filter((o) => o.host === 'director'));
    expect(director.length).toBeGreaterThan(0);
    expect(director.every((o) => o.status === 'not-captured')).toBe(true);
    expect(director.map((o) => o.reason ?? '').join(' ')).toContain("the director's `ip -o addr` could not be read");
    expect(result!.hops.some((h) => h.status === 'missing')).toBe(false);
  });
});
