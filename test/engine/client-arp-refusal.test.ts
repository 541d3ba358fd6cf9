// A client held behind its ARP for a director that refuses it for good: no SYN will leave it
// before the ARP gives up, so the wire decides the connections at the director's first refusal
// (src/facts/client-arp-refusal.ts). Real recordings: fixtures/bundles/director.rp-filter-client-arp
// (netns lab, the director's ext captured on its own) and fixtures/bundles-arp (SOURCES.md: the
// real-IPVS guest's rp-filter, and arp_ignore=8 on both labs, whose refusal is not final).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { clientArpRefusal, clientHeldByArp } from '../../src/facts/client-arp-refusal.js';
import { decideFromWire, SYNC_AFTER_MS } from '../../src/facts/wire-decision.js';
import { analyzeHops } from '../../src/facts/hop-analysis.js';
import type { Packet } from '../../src/model/packet.js';
import type { CaptureFacts } from '../../src/facts/test-connection-facts.js';
import { load, type Recorded } from './recorded-run.js';
import { FixtureFacts } from '../checks/fixture-facts.js';
import { readBundle } from '../../src/transport/bundle.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const netns = join(fixtures, 'bundles/director.rp-filter-client-arp');
const ipvs = join(fixtures, 'bundles-arp/ipvs-director.rp-filter-client-arp');
/** Recorded with the decision live: the run ended at the director's first refusal. */
const decidedLive = ['bundles-arp/director.rp-filter-client-arp-decided', 'bundles-arp/ipvs-director.rp-filter-client-arp-decided'].map((s) => join(fixtures, s));
const arpIgnore = ['bundles-arp/director.arp-ignore', 'bundles-arp/ipvs-director.arp-ignore', 'bundles-arp/ipvs-director.arp-ignore-late-syns'].map((s) => join(fixtures, s));

/** The captures as the doctor has them at `t`, each closed by a round asked at `t` (as wire-decision.test.ts's seenAt). */
const seenAt = (r: Recorded, t: number): Recorded['captures'] =>
  r.captures.map((c) => {
    const packets = c.packets.filter((p) => p.time.seconds <= t);
    return { ...c, packets, synced: packets.filter((p) => p.time.seconds <= t - SYNC_AFTER_MS / 1000).length };
  });

const clientRequests = (r: Recorded, place: string): Packet[] =>
  r.captures.filter((c) => c.place === place).flatMap((c) => c.packets.filter((p) => p.arp?.operation === 'request' && p.arp.senderIp === r.topology.client.cip));

/** The first time the decision fires, packets in timestamp order with rounds answered; null: never. */
function firstDecision(r: Recorded, refusal = r.clientArpRefusal): number | null {
  const times = [...new Set(r.captures.flatMap((c) => c.packets.flatMap((p) => [p.time.seconds, p.time.seconds + SYNC_AFTER_MS / 1000])))].sort((a, b) => a - b);
  for (const t of times) if (decideFromWire(r.topology, seenAt(r, t), r.connections, { pingUnanswered: r.pingUnanswered, clientArpRefusal: refusal }).decided) return t;
  return null;
}

const hops = (r: Recorded, upTo: number): unknown => {
  const captures: CaptureFacts[] = r.captures.map((c) => ({ host: c.host, iface: c.iface, place: c.place, command: 'tcpdump', packets: c.packets.filter((p) => p.time.seconds <= upTo) }));
  return analyzeHops(r.topology, { captures, attempts: [] }, r.pingUnanswered).connections.map((c) => [c.cport, c.hops.map((h) => h.status)]);
};

describe('the director refusing the client\'s ARP for good, from its readings', () => {
  it('strict rp_filter refusing the client on ext, the client on ext\'s subnet and its route to the VIP through the director\'s ext address', async () => {
    expect((await load(netns)).clientArpRefusal).toEqual({ cip: '10.78.1.10', nexthop: '10.78.1.1' });
    expect((await load(ipvs)).clientArpRefusal).toEqual({ cip: '10.214.1.10', nexthop: '10.214.1.1' });
  });

  it('not where rp_filter does not refuse the client (arp_ignore refused it: the director still routes to the client by ext)', async () => {
    for (const dir of arpIgnore) expect((await load(dir)).clientArpRefusal, dir).toBeNull();
  });

  it('not where the client\'s route to the VIP goes by another address, or the VIP is not the director\'s', async () => {
    const f = new FixtureFacts((await load(netns)).topology);
    for (const name of ['sysctl', 'route-get-request', 'ip-addr'] as const) await f.fromBundle(netns, 'director', name);
    await f.fromBundle(netns, 'client', 'route-get-vip');
    const { cip, ext } = f.facts.derived;
    expect(clientArpRefusal(f.facts, f.topology, cip, ext)).toEqual({ cip: '10.78.1.10', nexthop: '10.78.1.1' });
    // The same readings with the client routing by the bypass router on its subnet (edited from the real reading).
    const routed = new FixtureFacts(f.topology);
    for (const o of f.facts.all()) routed.facts.record(o);
    const vipRoute = f.facts.outcome('client', 'route-get-vip')!;
    const edited = vipRoute.stdout.replace('via 10.78.1.1', 'via 10.78.1.254');
    expect(edited).not.toBe(vipRoute.stdout);
    await routed.output('client', 'route-get-vip', Buffer.from(edited));
    expect(clientArpRefusal(routed.facts, f.topology, cip, ext)).toBeNull();
    // The VIP gone from the director's addresses (director.vip-not-local): its route lookup's error is not the ARP's.
    const noVip = new FixtureFacts(f.topology);
    for (const o of f.facts.all()) noVip.facts.record(o);
    const addr = f.facts.outcome('director', 'ip-addr')!;
    await noVip.output('director', 'ip-addr', Buffer.from(addr.stdout.split('\n').filter((l) => !l.includes('10.78.100.1/')).join('\n')));
    expect(clientArpRefusal(noVip.facts, f.topology, cip, ext)).toBeNull();
    expect(clientArpRefusal(f.facts, f.topology, null, ext)).toBeNull();
  });
});

describe('a client held by that ARP: decided at the director\'s first refusal', () => {
  for (const [name, dir] of [['netns lab', netns], ['real-IPVS guest', ipvs]] as const) {
    it(`${name}: once the director's capture is closed past the client's first request, not before; its hops unchanged`, async () => {
      const r = await load(dir);
      const onExt = clientRequests(r, r.captures.some((c) => c.place === 'director-ext') ? 'director-ext' : 'director-one');
      expect(onExt.length).toBeGreaterThanOrEqual(2);
      const first = onExt[0].time.seconds;
      const at = firstDecision(r);
      expect(at).not.toBeNull();
      expect(at).toBeGreaterThanOrEqual(first + SYNC_AFTER_MS / 1000);
      expect(at! - first).toBeLessThan(0.1);
      // Well before the run it was recorded in ended (the client's ARP gave up, or its tools timed out).
      const end = Math.max(...r.captures.flatMap((c) => c.packets.map((p) => p.time.seconds)));
      expect(end - at!).toBeGreaterThan(1);
      const d = decideFromWire(r.topology, seenAt(r, at!), r.connections, { clientArpRefusal: r.clientArpRefusal });
      expect(d).toMatchObject({ decided: true, flows: [], selfEnding: 0, silent: true });
      expect(hops(r, at!)).toEqual(hops(r, Infinity));
      // Without the refusal, nothing is decided before every tool ended.
      expect(firstDecision(r, null)).toBeNull();
    });
  }

  for (const dir of decidedLive) {
    it(`recorded with the decision live (${dir.split('/').pop()}): decided at the first refusal, the client's tools stopped well before its ARP gave up`, async () => {
      const r = await load(dir);
      expect(r.clientArpRefusal).not.toBeNull();
      const onExt = clientRequests(r, 'director-ext');
      expect(onExt.length).toBeGreaterThanOrEqual(1);
      const at = firstDecision(r)!;
      expect(at - onExt[0].time.seconds).toBeLessThan(0.1);
      // Nothing of the connections on any capture, and each of the client's tools stopped by the
      // run before its 2 s connect timeout (its ARP would have given up 3 s after its request).
      expect(r.captures.some((c) => c.packets.some((p) => p.tcp !== null && p.dst === r.topology.service.vip))).toBe(false);
      const tools = (await readBundle(dir)).manifest.entries.filter((e) => e.host === r.topology.client.name && e.argv[0] === 'curl');
      expect(tools).toHaveLength(r.connections);
      for (const t of tools) expect(t).toMatchObject({ stopped: true, exitCode: 143, durationMs: expect.any(Number) });
      expect(Math.max(...tools.map((t) => t.durationMs!))).toBeLessThan(2000);
      expect(hops(r, at)).toEqual(hops(r, Infinity));
    });
  }

  it('not where the director might yet teach the client its MAC: arp_ignore\'s late SYNs, were its refusal taken as final', async () => {
    const r = await load(arpIgnore[2]);
    const syns = r.captures.filter((c) => c.place === 'client').flatMap((c) => c.packets.filter((p) => p.tcp?.flags.syn && !p.tcp.flags.ack));
    expect(syns.length).toBeGreaterThan(0);
    const firstSyn = Math.min(...syns.map((p) => p.time.seconds));
    // As recorded (no refusal known final), the wire waits for the SYNs and decides by them.
    expect(firstDecision(r)).toBeGreaterThan(firstSyn);
    const [request] = clientRequests(r, 'director-ext');
    const forced = { cip: request.arp!.senderIp!, nexthop: request.arp!.targetIp! };
    const at = firstDecision(r, forced);
    // Taken as final, it would end the run before the SYNs that the director's own request released.
    expect(at).not.toBeNull();
    expect(firstSyn).toBeGreaterThan(at!);
    expect(hops(r, at!)).not.toEqual(hops(r, Infinity));
  });

  it('not on a unicast request (a client still holding a MAC sends with it), an answered one, one not closed yet, or with a SYN seen', async () => {
    const r = await load(netns);
    const refusal = r.clientArpRefusal!;
    const at = firstDecision(r)!;
    const now = seenAt(r, at);
    expect(clientHeldByArp(r.topology, now, refusal)).toBe(true);
    const ext = (c: Recorded['captures'][number]): boolean => c.place === 'director-ext';
    const editExt = (edit: (packets: readonly Packet[]) => Packet[]): Recorded['captures'] => now.map((c) => (ext(c) ? { ...c, packets: edit(c.packets) } : c));
    const isRequest = (p: Packet): boolean => p.arp?.operation === 'request';
    // Edited from the real capture: the requests sent to the director's MAC, as a probe of a known neighbour is.
    // A director's ext MAC as its kernel gave it in a real ARP reply (this capture holds no frame
    // of the director's: it refused every request): fixtures/bundles/director.return-path-stalled.
    const answered = await load(join(fixtures, 'bundles/director.return-path-stalled'));
    const director = answered.captures.flatMap((c) => c.packets).find((p) => p.arp?.operation === 'reply')?.arp?.senderMac;
    expect(director).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(clientHeldByArp(r.topology, editExt((ps) => ps.map((p) => (isRequest(p) ? { ...p, link: { ...p.link, dstMac: director, direction: null } } : p))), refusal)).toBe(false);
    // A reply from the director after the request.
    const request = now.find(ext)!.packets.find(isRequest)!;
    const reply: Packet = { ...request, arp: { ...request.arp!, operation: 'reply', senderIp: refusal.nexthop, targetIp: refusal.cip } };
    expect(clientHeldByArp(r.topology, editExt((ps) => [...ps, reply]), refusal)).toBe(false);
    // The round has not closed past the request.
    expect(clientHeldByArp(r.topology, now.map((c) => (ext(c) ? { ...c, synced: 0 } : c)), refusal)).toBe(false);
    expect(clientHeldByArp(r.topology, now.map((c) => (ext(c) ? (({ synced, ...rest }) => rest)(c) : c)), refusal)).toBe(false);
    // A SYN of the service from the client (taken from another recording of the same lab's fault, where it left).
    const other = await load(join(fixtures, 'bundles/director.rp-filter'));
    const syn = other.captures.find((c) => c.place === 'client')!.packets.find((p) => p.tcp?.flags.syn && !p.tcp.flags.ack)!;
    const synHere: Packet = { ...syn, src: refusal.cip, dst: r.topology.service.vip, tcp: { ...syn.tcp!, dstPort: r.topology.service.vport } };
    expect(clientHeldByArp(r.topology, now.map((c) => (c.place === 'client' ? { ...c, packets: [...c.packets, synHere] } : c)), refusal)).toBe(false);
    // No capture of the director's client side at all.
    expect(clientHeldByArp(r.topology, now.filter((c) => !ext(c)), refusal)).toBe(false);
  });
});
