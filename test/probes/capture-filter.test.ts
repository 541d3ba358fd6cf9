// The captures' filter with withoutProbes (issue 12), run by the real tcpdump over real
// captures: it leaves out the doctor's own ping and traceroute packets (echo, echo reply,
// UDP to ports 33434 on, ICMP errors about anything but TCP) and keeps every TCP packet and
// every ICMP error about TCP, which are all the test connection's captures are read for.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProbe } from '../../src/probes/capture.js';
import { decodePcap } from '../../src/pcap/index.js';
import type { Packet } from '../../src/model/packet.js';

const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
const fixtures = join(import.meta.dirname, '../../fixtures');

/** The capture's own filter, applied by tcpdump to a recorded pcap. */
async function filtered(file: string, hosts: string[], withoutProbes: boolean): Promise<Packet[]> {
  const argv = captureProbe({ host: 'h', iface: 'any', filter: { hosts, icmp: true, withoutProbes } }).argv;
  const bpf = argv.slice(argv.indexOf('-c') + 2);
  const r = spawnSync('tcpdump', ['-r', file, '-w', '-', ...bpf], { maxBuffer: 1 << 24 });
  expect(r.status, r.stderr.toString()).toBe(0);
  return (await decodePcap(new Uint8Array(r.stdout))).packets;
}

// IPv4: a run leaves the probes out only when the service, CIP and the RIPs are all IPv4 (src/engine/probes-alongside.ts).
const isProbe = (p: Packet): boolean =>
  p.ipVersion === 4 &&
  ((p.icmp !== null && (p.icmp.kind === 'echo-request' || p.icmp.kind === 'echo-reply')) ||
  (p.udp !== null && typeof p.udp.dstPort === 'number' && p.udp.dstPort >= 33434 && p.udp.dstPort <= 33534) ||
  (p.icmp !== null && p.icmp.embedded !== null && p.icmp.embedded.protocol !== 'tcp'));
const aboutTcp = (p: Packet): boolean => p.tcp !== null || (p.icmp?.embedded?.protocol === 'tcp');
// A filtered capture is a new pcap: its records are told apart by their time and addresses.
const key = (p: Packet): string => `${p.time?.raw} ${p.src} > ${p.dst} ${p.tcp?.flagString ?? p.icmp?.kind ?? ''}`;

describe.skipIf(!hasTcpdump)('captures leaving the probes out (tcpdump over recorded captures)', () => {
  const cases = [
    // A netns run with pings, a traceroute, a redirect and rejects (fixtures/pcap/capture.sh).
    { file: 'parsers/pcap/netns--any-sll2.pcap', hosts: ['10.77.1.2', '10.77.2.11'] },
    { file: 'parsers/pcap/netns--lan.pcap', hosts: ['10.77.1.2', '10.77.2.11'] },
    // The lab's rs1 in realserver.unreachable: its own ping and traceroute failing (local host unreachable) beside the test connection's.
    { file: 'bundles/realserver.unreachable/0051-rs1.bin', hosts: ['10.217.100.1', '10.217.1.10', '10.217.2.11', '10.217.2.12', '10.217.2.13'] },
  ];
  for (const c of cases) {
    it(c.file, async () => {
      const file = join(fixtures, c.file);
      const before = await filtered(file, c.hosts, false);
      const after = await filtered(file, c.hosts, true);
      // The capture held probe packets to leave out, and nothing of them is left.
      expect(before.filter(isProbe).length).toBeGreaterThan(0);
      expect(after.filter(isProbe)).toEqual([]);
      // Everything about TCP is kept, in order.
      expect(after.filter(aboutTcp).map(key)).toEqual(before.filter(aboutTcp).map(key));
      expect(after.filter(aboutTcp).length).toBeGreaterThan(0);
      expect(readFileSync(file).length).toBeGreaterThan(24);
    });
  }
});
