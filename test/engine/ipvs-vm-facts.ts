// Facts for the check graph built from the real IPVS captures of the qemu guest
// (fixtures/captures/ipvs-vm, MANIFEST.md): director probe outputs as the doctor's probes
// would have read them, and the test connection's pcaps decoded as the engine decodes them.
// The topology is the guest's (scripts/ipvs-vm/topo.sh).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeHops } from '../../src/facts/hop-analysis.js';
import { Facts } from '../../src/facts/facts.js';
import type { CaptureFacts, CapturePlace } from '../../src/facts/test-connection-facts.js';
import type { HostStatus } from '../../src/model/result.js';
import type { Topology } from '../../src/model/topology.js';
import { decodePcap } from '../../src/pcap/index.js';
import { getParser } from '../../src/parsers/index.js';
import { parseIpvsadm } from '../../src/parsers/ipvsadm.js';
import { unameParser } from '../../src/probes/own-parsers.js';

export const capturesDir = join(import.meta.dirname, '../../fixtures/captures/ipvs-vm');
export const readCapture = (name: string): string => readFileSync(join(capturesDir, name), 'utf8');

export const guestTopology: Topology = {
  service: { protocol: 'TCP', vip: '10.1.0.10', vport: 80 },
  director: { name: 'director', role: 'director', access: 'local', ext: 'ext0', int: 'int0', dip: '172.16.1.1' },
  client: { name: 'client', role: 'client', access: 'local', cip: '10.1.0.2' },
  realservers: [
    { name: 'rs1', role: 'realserver', access: 'local', rip: '172.16.1.11', rport: 80 },
    { name: 'rs2', role: 'realserver', access: 'none', rip: '172.16.1.12', rport: 8080 },
  ],
};

const PLACES: Record<string, { host: string; iface: string; place: CapturePlace }> = {
  ext: { host: 'director', iface: 'ext0', place: 'director-ext' },
  int: { host: 'director', iface: 'int0', place: 'director-int' },
  rs1: { host: 'rs1', iface: 'eth0', place: 'realserver' },
  cli: { host: 'client', iface: 'eth0', place: 'client' },
};

export function guestFacts(): Facts {
  const status = (name: string, role: HostStatus['role'], reachable: boolean): [string, HostStatus] => [
    name,
    { name, role, access: reachable ? 'local' : 'none', status: reachable ? 'reachable' : 'off-limits', probesRun: 0 },
  ];
  return new Facts(guestTopology, new Map([status('director', 'director', true), status('client', 'client', true), status('rs1', 'realserver', true), status('rs2', 'realserver', false)]));
}

/** Records a capture file as the output of a director probe that parses with the ipvsadm parser. */
export function recordIpvsadm(facts: Facts, probe: 'ipvsadm' | 'ipvsadm-conn', file: string, command: string): void {
  const stdout = readCapture(file);
  facts.record({ ok: true, host: 'director', probe, command, parsed: parseIpvsadm(stdout), stdout, exitCode: 0 });
}

/** Records a capture file as the director's output of `probe`, parsed as the engine would. */
export function recordDirector(facts: Facts, probe: string, file: string, command: string): void {
  const stdout = readCapture(file);
  const parser = probe === 'uname' ? unameParser : getParser(probe);
  if (parser.kind !== 'text') throw new Error(`${probe} is not a text parser`);
  facts.record({ ok: true, host: 'director', probe, command, parsed: parser.parse(stdout), stdout, exitCode: 0 });
}

/** The test connection from the pcaps `<prefix>-<where>.pcap` that exist (ext, int, rs1, cli). */
export async function recordTestConnection(facts: Facts, prefix: string): Promise<void> {
  const captures: CaptureFacts[] = [];
  for (const [where, at] of Object.entries(PLACES)) {
    const file = join(capturesDir, `${prefix}-${where}.pcap`);
    if (!existsSync(file)) continue;
    const { packets } = await decodePcap(readFileSync(file));
    captures.push({ ...at, command: `tcpdump -n -U -i ${at.iface} -w ...`, packets });
  }
  facts.testConnection = { captures, attempts: [] };
  facts.hopAnalysis = analyzeHops(guestTopology, facts.testConnection);
  facts.derived = { cip: '10.1.0.2', ext: 'ext0', int: 'int0', dip: '172.16.1.1' };
}
