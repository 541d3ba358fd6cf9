// The director asking ARP for a RIP again with no reply, as hop 2's evidence, on real recordings:
// fixtures/bundles-ipvs-asked/realserver.unreachable (real-IPVS guest: curl gave up before the
// director's kernel did, so no ICMP host unreachable is in it) and fixtures/bundles-ipvs/
// realserver.unreachable (the ICMP came after the retransmission).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodePcap } from '../../src/pcap/index.js';
import { readBundle } from '../../src/transport/bundle.js';
import { analyzeHops } from '../../src/facts/hop-analysis.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import type { CaptureFacts, CapturePlace } from '../../src/facts/test-connection-facts.js';
import type { Packet } from '../../src/model/packet.js';
import { parseIpAddr } from '../../src/parsers/ip-addr.js';
import { BOTH_SIDES_IFACE, interfaceNames, splitDirectorSides } from '../../src/engine/director-sides.js';

const fixtures = join(import.meta.dirname, '../../fixtures');

async function captures(dir: string): Promise<{ topology: NonNullable<Awaited<ReturnType<typeof readBundle>>['manifest']['topology']>; caps: CaptureFacts[] }> {
  const bundle = await readBundle(dir);
  const topology = bundle.manifest.topology!;
  const caps: CaptureFacts[] = [];
  const d = topology.director;
  for (const e of bundle.manifest.entries.filter((x) => x.argv[0] === 'tcpdump')) {
    const iface = e.argv[e.argv.indexOf('-i') + 1];
    const packets = (await decodePcap(bundle.files.get(e.stdoutFile)!)).packets;
    const command = e.argv.join(' ');
    if (e.host === d.name && iface === BOTH_SIDES_IFACE) {
      // The director's sides in one capture, split by interface index as the engine does.
      const addr = bundle.manifest.entries.find((x) => x.host === d.name && x.argv.join(' ') === 'ip -o addr')!;
      const sides = splitDirectorSides(packets, interfaceNames(parseIpAddr(Buffer.from(bundle.files.get(addr.stdoutFile)!).toString('utf8'))), { ext: d.ext!, int: d.int! });
      caps.push({ host: e.host, iface: d.ext!, place: 'director-ext', command, packets: sides.ext }, { host: e.host, iface: d.int!, place: 'director-int', command, packets: sides.int });
      continue;
    }
    const place: CapturePlace = e.host === topology.client.name ? 'client' : e.host !== d.name ? 'realserver' : iface === d.ext ? 'director-ext' : 'director-int';
    caps.push({ host: e.host, iface, place, command, packets });
  }
  return { topology, caps };
}

const directorsRequest = (p: Packet): boolean => p.arp?.operation === 'request' && p.link.direction === 'out';

describe('the director that cannot resolve a RIP, read from its ARP', () => {
  it('no ICMP came (curl gave up first): hop 2 names the requests, and realserver.unreachable is certain', async () => {
    const r = await replayBundle(join(fixtures, 'bundles-ipvs-asked/realserver.unreachable'));
    const top = r.diagnoses[0];
    expect({ id: top.id, hosts: top.hosts, certainty: top.certainty }).toEqual({ id: 'realserver.unreachable', hosts: ['rs1'], certainty: 1 });
    const forwarded = r.checks.find((c) => c.id === 'q3.request-forwarded')!;
    expect(forwarded.summary).toBe('the director balanced the SYN to 10.131.2.11 but could not deliver it (it asked ARP for 10.131.2.11 again and got no reply)');
    expect(forwarded.evidence.flatMap((e) => e.lines)).toContain('director recipvs-int: recipvs-int out ARP, Request who-has 10.131.2.11 tell 10.131.2.1 (asked 6 times over 7.0 s, no reply from 10.131.2.11)');
  });

  it('asked once, or answered, it is nothing: a RIP may still answer its first request', async () => {
    const { topology, caps } = await captures(join(fixtures, 'bundles-ipvs-asked/realserver.unreachable'));
    const kinds = (cs: CaptureFacts[]): string[] => analyzeHops(topology, { captures: cs, attempts: [] }).connections.flatMap((c) => c.instead.map((i) => i.kind));
    expect(kinds(caps)).toContain('director-cannot-reach-rip');
    // Edited from the real capture: the director's requests after the first taken out.
    const once = caps.map((c) => {
      if (c.place !== 'director-int') return c;
      const first = c.packets!.find(directorsRequest);
      return { ...c, packets: c.packets!.filter((p) => !directorsRequest(p) || p === first) };
    });
    expect(kinds(once)).not.toContain('director-cannot-reach-rip');
    // Edited likewise: a reply from the RIP after the last request.
    const answered = caps.map((c) => {
      if (c.place !== 'director-int') return c;
      const requests = c.packets!.filter(directorsRequest);
      const last = requests[requests.length - 1];
      const reply: Packet = { ...last, link: { ...last.link, direction: 'in' }, arp: { ...last.arp!, operation: 'reply', senderIp: last.arp!.targetIp, targetIp: last.arp!.senderIp } };
      return { ...c, packets: [...c.packets!, reply] };
    });
    expect(kinds(answered)).not.toContain('director-cannot-reach-rip');
    // Edited likewise: the director's ext without the client's SYNs. A SYN that never reached the
    // director is not waiting in its ARP queue, whatever the director is resolving.
    const notIn = caps.map((c) => (c.place === 'director-ext' ? { ...c, packets: c.packets!.filter((p) => !(p.tcp?.flags.syn && p.dst === topology.service.vip)) } : c));
    expect(kinds(notIn)).not.toContain('director-cannot-reach-rip');
  });

  it('the ICMP host unreachable that came later is named with it', async () => {
    const r = await replayBundle(join(fixtures, 'bundles-ipvs/realserver.unreachable'));
    const forwarded = r.checks.find((c) => c.id === 'q3.request-forwarded')!;
    expect(forwarded.summary).toMatch(/could not deliver it \(it answered the client with ICMP host unreachable\)$/);
    expect(forwarded.certainty).toBe(1);
    expect(forwarded.evidence.map((e) => e.note ?? '')).toContain('the director resolving the RIP');
  });
});
