// The director asking ARP for a RIP again with no reply, as hop 2's evidence, on real recordings:
// fixtures/bundles-ipvs-asked/realserver.unreachable (real-IPVS guest: curl gave up before the
// director's kernel did, so no ICMP host unreachable is in it) and fixtures/bundles-ipvs/
// realserver.unreachable (the ICMP came after the retransmission).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyzeHops } from '../../src/facts/hop-analysis.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import type { CaptureFacts } from '../../src/facts/test-connection-facts.js';
import type { Topology } from '../../src/model/topology.js';
import { load } from '../engine/recorded-run.js';
import type { Packet } from '../../src/model/packet.js';

const fixtures = join(import.meta.dirname, '../../fixtures');

/** The run's captures as the hop analysis takes them (the director's one capture split into its sides). */
async function captures(dir: string): Promise<{ topology: Topology; caps: CaptureFacts[] }> {
  const r = await load(dir);
  return { topology: r.topology, caps: r.captures.map((c) => ({ host: c.host, iface: c.iface, place: c.place, command: 'tcpdump', packets: [...c.packets] })) };
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
