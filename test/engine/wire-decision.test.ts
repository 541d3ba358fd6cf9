// Deciding the test connection from the wire, against every recorded lab run (netns and real
// IPVS bundles: real captures of every fault, taken while the doctor still waited its full
// timeouts). The packets of all captures are replayed in the order of their timestamps (one
// clock: the lab's hosts share a kernel, the IPVS guest's likewise); where the decision first
// fires, the captures are cut a settle later, and the hop analysis of the cut captures must
// equal the full one: deciding early never changes what the hops say.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodePcap } from '../../src/pcap/index.js';
import { readBundle } from '../../src/transport/bundle.js';
import { analyzeHops } from '../../src/facts/hop-analysis.js';
import { decideFromWire, type LiveCapture } from '../../src/facts/wire-decision.js';
import type { CaptureFacts, CapturePlace } from '../../src/facts/test-connection-facts.js';
import type { Topology } from '../../src/model/topology.js';
import type { Packet } from '../../src/model/packet.js';
import { SETTLE_DECIDED_MS } from '../../src/engine/test-connection.js';

interface Recorded {
  topology: Topology;
  captures: (LiveCapture & { iface: string })[];
  connections: number;
}

async function load(dir: string): Promise<Recorded> {
  const bundle = await readBundle(dir);
  const topology = bundle.manifest.topology!;
  const captures: Recorded['captures'] = [];
  for (const e of bundle.manifest.entries) {
    if (e.argv[0] !== 'tcpdump') continue;
    const bytes = bundle.files.get(e.stdoutFile)!;
    if (bytes.length < 24) continue;
    const iface = e.argv[e.argv.indexOf('-i') + 1];
    const d = topology.director;
    const place: CapturePlace =
      e.host === topology.client.name ? 'client' : e.host !== d.name ? 'realserver' : d.ext === d.int ? 'director-one' : iface === d.ext ? 'director-ext' : 'director-int';
    captures.push({ host: e.host, iface, place, packets: (await decodePcap(bytes)).packets });
  }
  const connections = bundle.manifest.entries.filter((e) => e.host === topology.client.name && ['curl', 'bash', 'socat', 'nc'].includes(e.argv[0]) && !e.argv.includes('command')).length;
  return { topology, captures, connections };
}

const upTo = (caps: Recorded['captures'], t: number): Recorded['captures'] => caps.map((c) => ({ ...c, packets: c.packets.filter((p) => p.time.seconds <= t) }));

/** The time at which the decision first fires, replaying packets in timestamp order; null: never. */
function firstDecision(r: Recorded): { at: number; verdicts: string[] } | null {
  const times = [...new Set(r.captures.flatMap((c) => c.packets.map((p: Packet) => p.time.seconds)))].sort((a, b) => a - b);
  for (const t of times) {
    const d = decideFromWire(r.topology, upTo(r.captures, t), r.connections);
    if (d.decided) return { at: t, verdicts: d.flows.map((f) => f.verdict!) };
  }
  return null;
}

function hopSummary(topology: Topology, caps: Recorded['captures']): unknown {
  const captures: CaptureFacts[] = caps.map((c) => ({ host: c.host, iface: c.iface, place: c.place, command: 'tcpdump', packets: [...c.packets] }));
  return analyzeHops(topology, { captures, attempts: [] }).connections.map((c) => ({
    flow: `${c.cip}:${c.cport}`,
    realserver: c.realserver?.name ?? null,
    lastSeen: c.lastSeen,
    hops: c.hops.map((h) => [h.name, h.status, h.observations.map((o) => `${o.host}/${o.iface}:${o.status}`)]),
    instead: c.instead.map((i) => `${i.kind}@${i.host}/${i.iface}`),
  }));
}

const roots = ['bundles', 'bundles-ipvs'].map((d) => join(import.meta.dirname, '../../fixtures', d));
const scenarios = roots.flatMap((root) => (existsSync(root) ? readdirSync(root).filter((s) => existsSync(join(root, s, 'manifest.json'))).map((s) => ({ root, s })) : []));

describe('deciding from the wire changes no hop of a recorded run', () => {
  it('there are recorded runs', () => expect(scenarios.length).toBeGreaterThan(30));
  for (const { root, s } of scenarios) {
    it(`${root.endsWith('ipvs') ? 'ipvs' : 'netns'} ${s}`, async () => {
      const r = await load(join(root, s));
      const first = firstDecision(r);
      if (!first) return;
      const cut = upTo(r.captures, first.at + SETTLE_DECIDED_MS / 1000);
      expect(hopSummary(r.topology, cut)).toEqual(hopSummary(r.topology, r.captures));
    });
  }
});

describe('what decides, on the recorded runs', () => {
  const expectations: [string, string, string | null][] = [
    ['bundles', 'healthy', 'answered'],
    ['bundles', 'realserver.reply-route', 'bypassed'],
    ['bundles', 'realserver.no-listener', 'answered'],
    // Silence decides nothing (see wire-decision.ts): the connect timeout ends this one.
    ['bundles', 'director.rp-filter', null],
    // The director's ICMP host unreachable (no ARP answer for the RIP) comes after the first retransmission, and decides then.
    ['bundles-ipvs', 'realserver.unreachable', 'answered'],
    ['bundles', 'director.no-virtual-service', 'answered'],
    ['bundles', 'director.untranslated-leak', 'bypassed'],
    ['bundles', 'director.return-path-stalled', 'bypassed'],
    ['bundles-ipvs', 'realserver.reply-route', 'bypassed'],
    ['bundles-ipvs', 'healthy', 'answered'],
  ];
  for (const [dir, s, verdict] of expectations) {
    it(`${dir} ${s}: ${verdict ?? 'not decided before the timeout'}`, async () => {
      const r = await load(join(import.meta.dirname, '../../fixtures', dir, s));
      const first = firstDecision(r);
      if (verdict === null) expect(first).toBeNull();
      else expect(new Set(first?.verdicts)).toEqual(new Set([verdict]));
    });
  }

  it('a capture that has not caught up holds the decision back', async () => {
    const r = await load(join(import.meta.dirname, '../../fixtures/bundles/realserver.reply-route'));
    const first = firstDecision(r)!;
    // rs1's capture as if it had not yet delivered the reply it sent.
    const lagging = upTo(r.captures, first.at).map((c) => (c.host === 'rs1' ? { ...c, packets: c.packets.filter((p) => !(p.tcp?.flags.syn && p.tcp.flags.ack)) } : c));
    expect(decideFromWire(r.topology, lagging, r.connections).decided).toBe(false);
  });

  it('fewer connections on the wire than were made: not decided', async () => {
    const r = await load(join(import.meta.dirname, '../../fixtures/bundles/healthy'));
    expect(decideFromWire(r.topology, r.captures, r.connections).decided).toBe(true);
    expect(decideFromWire(r.topology, r.captures, r.connections + 1).decided).toBe(false);
  });
});
