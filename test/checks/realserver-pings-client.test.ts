// Julian's Q.1 (can each realserver ping the client) judged with the test connection beside it:
// a realserver whose answer reached the client through the director, which the client went on
// with, has a working return path whatever its ping says. Real runs: fixtures/bundles-ping
// (SOURCES.md), fixtures/bundles-arp and fixtures/bundles.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { analyzeHops } from '../../src/facts/hop-analysis.js';
import type { CaptureFacts } from '../../src/facts/test-connection-facts.js';
import { returnedToClient } from '../../checks/q1-ping/realserver-pings-client.js';
import { load } from '../engine/recorded-run.js';
import { FixtureFacts } from './fixture-facts.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const q1 = (r: Awaited<ReturnType<typeof replayBundle>>) => r.checks.find((c) => c.id === 'q1.realserver-pings-client')!;

describe('q1.realserver-pings-client', () => {
  // Its verdict and words, on both labs: test/checks/pings-dropped.test.ts.
  it('a client that drops pings, served through the director: each unanswered ping as evidence, with why it proves nothing', async () => {
    const r = await replayBundle(join(fixtures, 'bundles-ping/client.drops-pings'));
    expect(q1(r).evidence.map((e) => e.note)).toEqual(['rs1', 'rs2', 'rs3'].map((_, i) => `10.51.2.1${i + 1} -> 10.51.1.10: no reply, yet its answer to the test connection reached the client through the director`));
  });

  it('not where the client was left asking ARP for the director, and its late SYNs were answered after its tools gave up', async () => {
    const r = await replayBundle(join(fixtures, 'bundles-arp/ipvs-director.arp-ignore-late-syns'));
    expect(r.hops.map((h) => h.status)).toEqual(['seen', 'seen', 'seen', 'seen']);
    expect(q1(r)).toMatchObject({ verdict: 'fail', summary: 'rs1, rs2, rs3 cannot ping the client 10.214.1.10 from the RIP' });
    expect(r.verdict).toBe('fail');
  });

  it('not where the connection did not come back through the director (the recorded faults whose pings fail still fail it)', async () => {
    for (const s of ['director.firewall-drop', 'director.rp-filter', 'director.ip-forward-off', 'realserver.onlink-client']) {
      expect(q1(await replayBundle(join(fixtures, 'bundles', s))).verdict, s).toBe('fail');
    }
  });
});

// Each guard of returnedToClient on its own, on the real late-SYN recording edited as each comment
// says: the client's RSTs made ACKs (as if its sockets had waited), and the client's unanswered ARP
// requests cut from the director's capture.
describe('returnedToClient: each guard alone keeps the late SYNs from proving the return path', () => {
  async function factsOf(dir: string, edit: { acks?: boolean; noArp?: boolean } = {}) {
    const r = await load(dir);
    const f = new FixtureFacts(r.topology);
    await f.fromBundle(dir, 'director', 'ip-addr');
    const cip = r.topology.client.cip!;
    const captures: CaptureFacts[] = r.captures.map((c) => ({
      host: c.host, iface: c.iface, place: c.place, command: 'tcpdump',
      packets: c.packets
        .filter((p) => !(edit.noArp && c.place === 'director-ext' && p.arp?.operation === 'request' && p.arp.senderIp === cip))
        .map((p) => (edit.acks && c.place === 'client' && p.tcp?.flags.rst && p.src === cip ? { ...p, tcp: { ...p.tcp, flags: { ...p.tcp.flags, rst: false, ack: true } } } : p)),
    }));
    f.facts.testConnection = { captures, attempts: [] };
    f.facts.hopAnalysis = analyzeHops(r.topology, f.facts.testConnection, r.pingUnanswered);
    return { topology: r.topology, facts: f.facts, cip };
  }
  const returned = async (dir: string, edit?: { acks?: boolean; noArp?: boolean }) => {
    const { topology, facts, cip } = await factsOf(dir, edit);
    return [...returnedToClient(topology, facts, cip)].sort();
  };
  const late = join(fixtures, 'bundles-arp/ipvs-director.arp-ignore-late-syns');

  it('the recorded runs as they are', async () => {
    expect(await returned(join(fixtures, 'bundles-ping/client.drops-pings'))).toEqual(['rs1', 'rs2', 'rs3']);
    expect(await returned(late)).toEqual([]);
  });

  it('the client going on with the answers is not enough while its ARP for the director went unanswered', async () => {
    expect(await returned(late, { acks: true })).toEqual([]);
  });

  it('no unanswered ARP is not enough where the client answered RST (its tools had given up)', async () => {
    expect(await returned(late, { noArp: true })).toEqual([]);
  });

  it('with both edits, the late answers prove the path: the guards are what kept them out', async () => {
    expect((await returned(late, { acks: true, noArp: true })).length).toBeGreaterThan(0);
  });
});
