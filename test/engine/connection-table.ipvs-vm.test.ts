// The connection-table digest over real IPVS tables (fixtures/captures/ipvs-vm, MANIFEST.md):
// with rs1's replies routed past the director (nat-reply-route) its entries stay SYN_RECV and
// --stats counts no packet out of it; rs2 (port 8080) still serves.
import { describe, expect, it } from 'vitest';
import { parseIpvsadm, type IpvsadmListing } from '../../src/parsers/ipvsadm.js';
import { connectionTableDigest } from '../../src/facts/connection-table.js';
import type { Facts } from '../../src/facts/facts.js';
import { connectionTable } from '../../checks/q3-director/connection-table.js';
import { guestFacts, guestTopology, readCapture, recordIpvsadm, recordTestConnection } from './ipvs-vm-facts.js';

const topology = guestTopology;

function factsWithTable(kase: string): Facts {
  const facts = guestFacts();
  recordIpvsadm(facts, 'ipvsadm-conn', `${kase}--ipvsadm-lnc.out`, 'ipvsadm -Lnc');
  return facts;
}

function stats(kase: string): IpvsadmListing {
  const parsed = parseIpvsadm(readCapture(`${kase}--ipvsadm-ln-stats.out`));
  if (parsed.format !== 'ipvsadm') throw new Error(`expected a listing, got ${parsed.format}`);
  return parsed;
}

describe('connection-table digest on real IPVS tables (ipvs-vm)', () => {
  it('nat-reply-route: rs1 has SYN_RECV entries and none ESTABLISHED; rs2 is not stalled', () => {
    const digest = connectionTableDigest(topology, factsWithTable('nat-reply-route'));
    expect(digest).toEqual([
      { realserver: 'rs1', synRecv: 2, established: 0, other: 0 },
      { realserver: 'rs2', synRecv: 0, established: 0, other: 2 },
    ]);
  });

  it('nat-reply-route --stats: rs1 took packets in and sent none out; rs2 both', () => {
    const [service] = stats('nat-reply-route').services;
    const rs1 = service.destinations.find((d) => d.address === '172.16.1.11');
    const rs2 = service.destinations.find((d) => d.address === '172.16.1.12' && d.port === 8080);
    expect(rs1?.stats).toMatchObject({ conns: 2, inPkts: 6, outPkts: 0 });
    expect(rs2?.stats).toMatchObject({ conns: 2, outPkts: 10 });
  });

  it('nat-reply-route: q3.connection-table blames the return path of rs1 only, citing its test connections SYN_RECV lines', async () => {
    const facts = factsWithTable('nat-reply-route');
    await recordTestConnection(facts, 'nat-reply-route--tcpdump');
    const finding = connectionTable.evaluate({ topology, facts, deps: {} });
    expect(finding).toMatchObject({ verdict: 'fail', fault: 'director.return-path-stalled', faultHosts: ['rs1'] });
    expect(finding.evidence[0].lines).toHaveLength(2);
    for (const line of finding.evidence[0].lines) expect(line).toMatch(/SYN_RECV .* 172\.16\.1\.11:80$/);
  });

  it('nat-ip-forward-off: the table looks the same (SYN_RECV, OutPkts 0) for both realservers', () => {
    expect(connectionTableDigest(topology, factsWithTable('nat-ip-forward-off'))).toEqual([
      { realserver: 'rs1', synRecv: 1, established: 0, other: 0 },
      { realserver: 'rs2', synRecv: 1, established: 0, other: 0 },
    ]);
    expect(stats('nat-ip-forward-off').services[0].stats).toMatchObject({ outPkts: 0 });
  });

  it('nat-healthy: no realserver is stalled; q3.connection-table passes on the captured connection', async () => {
    expect(connectionTableDigest(topology, factsWithTable('nat-healthy'))).toEqual([
      { realserver: 'rs1', synRecv: 0, established: 0, other: 2 },
      { realserver: 'rs2', synRecv: 0, established: 1, other: 1 },
    ]);
    const facts = factsWithTable('nat-healthy');
    await recordTestConnection(facts, 'nat-healthy--tcpdump');
    expect(connectionTable.evaluate({ topology, facts, deps: {} })).toMatchObject({ verdict: 'pass', summary: expect.stringMatching(/rs2 TIME_WAIT/) });
  });

  it('without a test connection the table is not judged: its entries cannot be told from earlier ones', () => {
    expect(connectionTable.evaluate({ topology, facts: factsWithTable('nat-reply-route'), deps: {} }).verdict).toBe('unknown');
  });
});
