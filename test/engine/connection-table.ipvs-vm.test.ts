// The connection-table digest over real IPVS tables (fixtures/captures/ipvs-vm, MANIFEST.md):
// with rs1's replies routed past the director (nat-reply-route) its entries stay SYN_RECV and
// --stats counts no packet out of it; rs2 (port 8080) still serves.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpvsadm, type IpvsadmListing } from '../../src/parsers/ipvsadm.js';
import { connectionTableDigest } from '../../src/engine/connection-table.js';
import { Facts } from '../../src/engine/facts.js';
import type { HostStatus } from '../../src/model/result.js';
import type { Topology } from '../../src/model/topology.js';
import { connectionTable } from '../../checks/q3-director/connection-table.js';

const captures = join(import.meta.dirname, '../../fixtures/captures/ipvs-vm');
const read = (name: string): string => readFileSync(join(captures, name), 'utf8');

const topology: Topology = {
  service: { protocol: 'TCP', vip: '10.1.0.10', vport: 80 },
  director: { name: 'director', role: 'director', access: 'local', ext: 'ext0', int: 'int0', dip: '172.16.1.1' },
  client: { name: 'client', role: 'client', access: 'none', cip: '10.1.0.2' },
  realservers: [
    { name: 'rs1', role: 'realserver', access: 'none', rip: '172.16.1.11', rport: 80 },
    { name: 'rs2', role: 'realserver', access: 'none', rip: '172.16.1.12', rport: 8080 },
  ],
};

function factsWithTable(kase: string): Facts {
  const hosts = new Map<string, HostStatus>([['director', { name: 'director', role: 'director', access: 'local', status: 'reachable', probesRun: 1 }]]);
  const facts = new Facts(topology, hosts);
  const stdout = read(`${kase}--ipvsadm-lnc.out`);
  facts.record({ ok: true, host: 'director', probe: 'ipvsadm-conn', command: 'ipvsadm -Lnc', parsed: parseIpvsadm(stdout), stdout, exitCode: 0 });
  return facts;
}

function stats(kase: string): IpvsadmListing {
  const parsed = parseIpvsadm(read(`${kase}--ipvsadm-ln-stats.out`));
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

  it('nat-reply-route: q3.connection-table blames the return path of rs1 only, citing its SYN_RECV lines', () => {
    const finding = connectionTable.evaluate({ topology, facts: factsWithTable('nat-reply-route'), deps: {} });
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

  it('nat-healthy: no realserver is stalled; q3.connection-table passes', () => {
    expect(connectionTableDigest(topology, factsWithTable('nat-healthy'))).toEqual([
      { realserver: 'rs1', synRecv: 0, established: 0, other: 2 },
      { realserver: 'rs2', synRecv: 0, established: 1, other: 1 },
    ]);
    expect(connectionTable.evaluate({ topology, facts: factsWithTable('nat-healthy'), deps: {} }).verdict).toBe('pass');
  });
});
