// A capture that lost packets proves nothing by what it lacks. Real captures from the lab
// (fixtures/captures/lab-ring/SOURCES.md): the client's `tcpdump -i any` held stopped through a
// test connection, with tcpdump's default snaplen (the kernel dropped the connection), with
// `-s 512` (nothing lost), and stopped while held (taken in, never written).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replyRewritten } from '../../checks/q3-director/reply-rewritten.js';
import { parseInventory } from '../../src/discover/inventory.js';
import { Facts } from '../../src/facts/facts.js';
import { analyzeHops, worstConnection } from '../../src/facts/hop-analysis.js';
import { captureLosses } from '../../src/engine/test-connection.js';
import type { CaptureFacts, CapturePlace } from '../../src/facts/test-connection-facts.js';
import { decodePcap } from '../../src/pcap/index.js';

const dir = join(import.meta.dirname, '../../fixtures/captures/lab-ring');
const topology = parseInventory(readFileSync(join(dir, 'inventory.yaml'), 'utf8'), 'inventory.yaml').topology;
type Run = 'default' | '512' | '512-stopped';

async function capture(name: string, host: string, iface: string, place: CapturePlace, counters = true): Promise<CaptureFacts> {
  const { packets } = await decodePcap(readFileSync(join(dir, `${name}.pcap`)));
  const losses = counters ? captureLosses(readFileSync(join(dir, `${name}.stderr`), 'utf8')) : {};
  return { host, iface, place, command: `tcpdump ... -i ${iface}`, packets, ...losses };
}

async function run(kind: Run, counters = true) {
  const captures = [
    await capture(`director-ext-${kind}`, 'director', topology.director.ext!, 'director-ext'),
    await capture(`client-any-${kind}`, 'client', 'any', 'client', counters),
  ];
  const analysis = analyzeHops(topology, { captures, attempts: [] });
  const conn = worstConnection(analysis)!;
  return { captures, analysis, conn, hop4AtClient: conn.hops[3].observations.find((o) => o.host === 'client')! };
}

describe("tcpdump's exit counters", () => {
  it('read as packets dropped by the kernel, and packets taken in but not written', () => {
    const counters = (name: string) => captureLosses(readFileSync(join(dir, `${name}.stderr`), 'utf8'));
    expect(counters('client-any-default')).toEqual({ dropped: 26 });
    expect(counters('client-any-512')).toEqual({});
    expect(counters('client-any-512-stopped')).toEqual({ unread: 35 });
    expect(counters('director-ext-default')).toEqual({});
  });
});

describe('hop analysis of a client capture that lost the connection', () => {
  it('kernel drops (default snaplen): the SYN+ACK absent at the client is not called missing, and hop 4 rests on the director', async () => {
    const { captures, conn, hop4AtClient } = await run('default');
    expect(captures[1].packets!.some((p) => p.tcp !== null)).toBe(false);
    expect(hop4AtClient).toMatchObject({ status: 'not-captured' });
    expect(hop4AtClient.reason).toMatch(/kernel dropped 26 packet\(s\)/);
    expect(conn.hops.map((h) => h.status)).toEqual(['seen', 'not-captured', 'not-captured', 'seen']);
    const facts = new Facts(topology, new Map());
    facts.hopAnalysis = analyzeHops(topology, { captures, attempts: [] });
    expect(replyRewritten.evaluate({ topology, facts, deps: {} }).verdict).toBe('pass');
  });

  it('taken in but never written (stopped while held): the same, from the tail rule', async () => {
    const { hop4AtClient, conn } = await run('512-stopped');
    expect(hop4AtClient.status).toBe('not-captured');
    expect(hop4AtClient.reason).toMatch(/stopped with 35 packet\(s\) taken in but not written/);
    expect(conn.hops[3].status).toBe('seen');
  });

  it('-s 512 (as the doctor captures): nothing lost, the client sees hop 4', async () => {
    const { hop4AtClient, conn } = await run('512');
    expect(hop4AtClient.status).toBe('seen');
    expect(conn.hops[3].status).toBe('seen');
  });

  it('without the counters (a tcpdump killed before printing them) the absence reads as missing, and the check says exactly where', async () => {
    const { captures, hop4AtClient } = await run('default', false);
    expect(hop4AtClient.status).toBe('missing');
    const facts = new Facts(topology, new Map());
    facts.hopAnalysis = analyzeHops(topology, { captures, attempts: [] });
    const finding = replyRewritten.evaluate({ topology, facts, deps: {} });
    expect(finding.verdict).toBe('unknown');
    expect(finding.summary).toMatch(/^the director sent the reply out rewritten \(10\.91\.100\.1:80 > 10\.91\.1\.10:\d+ TCP \[S\.\].*\), but the capture on client any does not show it arriving: hop 4 is unproven$/);
  });
});
