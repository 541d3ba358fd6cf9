// The client's ARP requests for the director that the director took in and never answered, on
// real captures: fixtures/bundles/director.rp-filter-client-arp (strict rp_filter on the
// director's ext, the client's neighbour entry for the director expired: no SYN ever left it)
// and fixtures/bundles/director.return-path-stalled (the director answered the client's request);
// fixtures/bundles-arp (SOURCES.md): recorded live on the netns lab and the real-IPVS guest.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePcap } from '../../src/pcap/index.js';
import { describePacket } from '../../src/model/packet.js';
import { readBundle } from '../../src/transport/bundle.js';
import { unansweredArpForDirector, unansweredArpLines } from '../../src/facts/unanswered-arp.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import type { CaptureFacts } from '../../src/facts/test-connection-facts.js';

const bundles = join(import.meta.dirname, '../../fixtures/bundles');

async function directorExt(scenario: string): Promise<CaptureFacts> {
  const bundle = await readBundle(join(bundles, scenario));
  const ext = bundle.manifest.topology!.director.ext!;
  const e = bundle.manifest.entries.find((x) => x.host === 'director' && x.argv[0] === 'tcpdump' && x.argv.includes(ext))!;
  return { host: 'director', iface: ext, place: 'director-ext', command: e.argv.join(' '), packets: (await decodePcap(bundle.files.get(e.stdoutFile)!)).packets };
}

describe('the client\'s ARP requests the director did not answer', () => {
  it('finds them on the director\'s ext capture, for one of its addresses', async () => {
    const ext = await directorExt('director.rp-filter-client-arp');
    const arp = unansweredArpForDirector([ext], '10.78.1.10', new Set(['10.78.1.1', '10.78.100.1']));
    expect(arp).toMatchObject({ target: '10.78.1.1', sender: '10.78.1.10', host: 'director', iface: 'rpf1-ext' });
    expect(arp!.requests).toHaveLength(3);
    expect(unansweredArpLines(arp!)).toEqual([
      ...Array(3).fill('rpf1-ext: ARP, Request who-has 10.78.1.1 tell 10.78.1.10'),
      '(no ARP reply from 10.78.1.1 on director rpf1-ext)',
    ]);
  });

  it('names nothing where the director answered, asked for another host, another sender, or a capture that lost packets', async () => {
    const answered = await directorExt('director.return-path-stalled');
    expect(answered.packets!.filter((p) => p.arp).map(describePacket)).toEqual(['ARP, Request who-has 10.217.1.1 tell 10.217.1.10', 'ARP, Reply 10.217.1.1 is-at c2:dc:9d:59:20:b1']);
    expect(unansweredArpForDirector([answered], '10.217.1.10', new Set(['10.217.1.1']))).toBeNull();
    // The same request also asked for another of the director's addresses (edited from the real
    // one), which drew no reply: that one is named, the answered one is not.
    const request = answered.packets!.find((p) => p.arp?.operation === 'request')!;
    const other = { ...request, arp: { ...request.arp!, targetIp: '10.217.100.1' } };
    const both = { ...answered, packets: [...answered.packets!, other] };
    expect(unansweredArpForDirector([both], '10.217.1.10', new Set(['10.217.1.1', '10.217.100.1']))).toMatchObject({ target: '10.217.100.1', requests: [other] });
    // The answered request asked again after its reply (edited likewise): the earlier reply does not answer it.
    const again = { ...answered, packets: [...answered.packets!, request] };
    expect(unansweredArpForDirector([again], '10.217.1.10', new Set(['10.217.1.1']))).toMatchObject({ target: '10.217.1.1', requests: [request] });
    const ext = await directorExt('director.rp-filter-client-arp');
    // A next hop that is not the director's: its silence is not the director's refusal.
    expect(unansweredArpForDirector([ext], '10.78.1.10', new Set(['10.78.100.1']))).toBeNull();
    expect(unansweredArpForDirector([ext], '10.78.1.99', new Set(['10.78.1.1']))).toBeNull();
    // The kernel dropped packets of the capture: the reply could be among them.
    expect(unansweredArpForDirector([{ ...ext, dropped: 1 }], '10.78.1.10', new Set(['10.78.1.1']))).toBeNull();
    // The client's own capture is not the director's word.
    expect(unansweredArpForDirector([{ ...ext, place: 'client' }], '10.78.1.10', new Set(['10.78.1.1']))).toBeNull();
  });
});

describe('hop 1 with no SYN: the ARP requests as evidence', () => {
  it('strict rp_filter refusing the client on ext, and the wire showing its ARP requests unanswered: director.rp-filter, certain', async () => {
    const r = await replayBundle(join(bundles, 'director.rp-filter-client-arp'));
    const d = r.diagnoses[0];
    expect(d.id).toBe('director.rp-filter');
    expect(d.certainty).toBe(1);
    expect(d.summary).toContain('the director took the client\'s ARP requests for 10.78.1.1 in on rpf1-ext and never answered');
    expect(d.evidence.find((e) => e.lines.includes('(no ARP reply from 10.78.1.1 on director rpf1-ext)'))?.host).toBe('director');
  });

  it('the same on the real-IPVS guest', async () => {
    const r = await replayBundle(join(import.meta.dirname, '../../fixtures/bundles-arp/ipvs-director.rp-filter-client-arp'));
    expect(r.diagnoses[0]).toMatchObject({ id: 'director.rp-filter', hosts: ['director'], certainty: 1 });
    expect(r.diagnoses[0].evidence.some((e) => e.lines.includes('(no ARP reply from 10.214.1.1 on director g-ext)'))).toBe(true);
    expect(r.hops).toEqual([]);
  });

  it('without the ARP requests on the wire the diagnosis stands on the director\'s state alone, less certain', async () => {
    const dir = withDirectorExtCapture('director.rp-filter-client-arp', (pcap) => pcap.subarray(0, 24));
    try {
      const r = await replayBundle(dir);
      expect(r.diagnoses[0]).toMatchObject({ id: 'director.rp-filter', certainty: 0.9 });
      expect(r.diagnoses[0].summary).toContain('so the client cannot resolve the director and no SYN left it');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a director that refuses the ARP with rp_filter loose says so: not the client\'s routing, and no fault the catalog names', async () => {
    // The recorded sysctl reading with rp_filter 0 (the lines edited): the director still did not answer.
    const dir = copy('director.rp-filter-client-arp');
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: { host: string; argv: string[]; stdoutFile: string }[] };
      const sysctl = manifest.entries.find((e) => e.host === 'director' && e.argv[0] === 'sysctl')!;
      const path = join(dir, sysctl.stdoutFile);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/(rp_filter = )1/g, '$10'));
      const r = await replayBundle(dir);
      expect(r.diagnoses.map((x) => x.id)).not.toContain('client.no-route-to-vip');
      expect(r.diagnoses.map((x) => x.id)).not.toContain('director.rp-filter');
      const hop1 = r.checks.find((c) => c.id === 'q3.request-reaches-director')!;
      expect(hop1.verdict).toBe('unknown');
      expect(hop1.summary).toMatch(/asked ARP for 10\.78\.1\.1 \(the director's\) and the director took the requests in on rpf1-ext without answering/);
      expect(hop1.evidence.some((e) => e.lines.includes('(no ARP reply from 10.78.1.1 on director rpf1-ext)'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('a director that answers no ARP on ext (arp_ignore 8), recorded live', () => {
  it('hop 1 says what the wire shows and where to look; the run fails on Q.1 and says it names no fault', async () => {
    const r = await replayBundle(join(import.meta.dirname, '../../fixtures/bundles-arp/director.arp-ignore'));
    const hop1 = r.checks.find((c) => c.id === 'q3.request-reaches-director')!;
    expect(hop1.verdict).toBe('unknown');
    expect(hop1.summary).toMatch(/^no SYN left the client: it asked ARP for 10\.51\.1\.1 \(the director's\) and the director took the requests in on t-ext without answering/);
    expect(hop1.evidence[0].lines).toEqual([...Array(2).fill('t-ext: t-ext broadcast ARP, Request who-has 10.51.1.1 tell 10.51.1.10'), '(no ARP reply from 10.51.1.1 on director t-ext)']);
    expect(hop1.evidence[1].lines).toContain('net.ipv4.conf.t-ext.arp_ignore = 8');
    expect(r.diagnoses).toEqual([]);
    expect(r.verdict).toBe('fail');
    expect(r.summary).toBe('no fault named, but a check failed: q1.realserver-pings-client: rs1, rs2, rs3 cannot ping the client 10.51.1.10 from the RIP');
  });
});

describe('arp_ignore 8 on the real-IPVS guest', () => {
  const arp = join(import.meta.dirname, '../../fixtures/bundles-arp');

  it('no SYN left the client: hop 1 as on the netns lab', async () => {
    const r = await replayBundle(join(arp, 'ipvs-director.arp-ignore'));
    const hop1 = r.checks.find((c) => c.id === 'q3.request-reaches-director')!;
    expect(hop1.verdict).toBe('unknown');
    expect(hop1.summary).toMatch(/asked ARP for 10\.214\.1\.1 \(the director's\) and the director took the requests in on g-ext without answering/);
    expect(hop1.evidence[1].lines).toContain('net.ipv4.conf.g-ext.arp_ignore = 8');
    expect(r.diagnoses).toEqual([]);
  });
});

function copy(scenario: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-arp-'));
  cpSync(join(bundles, scenario), dir, { recursive: true });
  return dir;
}

function withDirectorExtCapture(scenario: string, change: (pcap: Buffer) => Buffer): string {
  const dir = copy(scenario);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { topology: { director: { ext: string } }; entries: { host: string; argv: string[]; stdoutFile: string }[] };
  const e = manifest.entries.find((x) => x.host === 'director' && x.argv[0] === 'tcpdump' && x.argv.includes(manifest.topology.director.ext))!;
  writeFileSync(join(dir, e.stdoutFile), change(readFileSync(join(dir, e.stdoutFile))));
  return dir;
}
