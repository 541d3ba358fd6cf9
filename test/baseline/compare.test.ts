// The baseline comparison over real recordings (fixtures/bundles, fixtures/bundles-ipvs: the
// netns and real-IPVS labs, healthy and one bundle per injected fault; fixtures/bundles-later:
// a second healthy recording of the netns lab, made on another day).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaselineError, openBaseline } from '../../src/baseline/load.js';
import { compareWith } from '../../src/baseline/session.js';
import { validateTopology } from '../../src/discover/topology-check.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { readBundle } from '../../src/transport/bundle.js';
import type { BaselineReport } from '../../src/model/baseline.js';
import { schemaErrors } from '../report/schema-validator.js';

const root = new URL('../../fixtures/', import.meta.url).pathname;

async function compare(baselineDir: string, nowDir: string): Promise<BaselineReport> {
  const now = await readBundle(nowDir);
  const topology = validateTopology(now.manifest.topology, nowDir);
  const result = await replayBundle(nowDir);
  return compareWith(await openBaseline(baselineDir, 'given', topology, null), now, result, topology);
}

type Expect = { host: string; kind: string; key: RegExp } | { exempt: string } | { refused: RegExp };

/** What each injected fault changed on its host, as the lab injects it (src/lab/faults.ts). */
const COMMON: Record<string, Expect> = {
  'client.no-route-to-vip': { host: 'client', kind: 'route', key: /^ip route get 10\.\d+\.100\.1$/ },
  'director.firewall-drop': { host: 'director', kind: 'firewall', key: /lvs-doctor-lab -j DROP$/ },
  'director.ip-forward-off': { host: 'director', kind: 'sysctl', key: /^net\.ipv4\.ip_forward$/ },
  'director.rp-filter': { host: 'director', kind: 'sysctl', key: /^net\.ipv4\.conf\.all\.rp_filter$/ },
  'director.send-redirects': { host: 'director', kind: 'sysctl', key: /^net\.ipv4\.conf\.all\.send_redirects$/ },
  'director.vip-not-local': { host: 'director', kind: 'address', key: /^10\.\d+\.100\.1\/32$/ },
  'realserver.firewall-reject': { host: 'rs1', kind: 'firewall', key: /--dport 80 .*-j REJECT/ },
  'realserver.silent-drop': { host: 'rs1', kind: 'firewall', key: /--dport 80 .*-j DROP$/ },
  'realserver.no-listener': { host: 'rs3', kind: 'listener', key: /^tcp 0\.0\.0\.0:8080$/ },
  'realserver.reply-route': { host: 'rs1', kind: 'route', key: /^ip route get 10\.\d+\.1\.10 from 10\.\d+\.2\.11$/ },
  'realserver.rip-missing': { host: 'rs1', kind: 'address', key: /^10\.\d+\.2\.11\/24$/ },
  'realserver.unreachable': { exempt: "rs1's bridge port is set down: a link of the lab's bridge, no state of any host read" },
  'realserver.onlink-client': { exempt: 'one-network client (another CIP): the baseline never asked the realserver for a route to it' },
  'realserver.redirect-accepted': { exempt: 'one-network client (another CIP): the baseline never asked the realserver for a route to it' },
  'director.return-path-stalled': { exempt: 'recorded director-only: the realserver whose return path stalls was not read' },
  healthy: { exempt: 'the baseline itself' },
};
const NETNS: Record<string, Expect> = {
  ...COMMON,
  'director.no-virtual-service': { host: 'director', kind: 'firewall', key: /^iptables -t nat -A PREROUTING -d 10\.217\.100\.1\/32 .*-j LVSLAB$/ },
  'director.no-weight': { host: 'director', kind: 'firewall', key: /^iptables -t filter -A LVSLAB-IN .*-j REJECT/ },
  'director.rp-filter-client-arp': { exempt: "recorded on another lab (prefix rpf1, other addresses) than the healthy bundle; director.rp-filter's bundle covers the comparison" },
  'director.untranslated-leak': { host: 'director', kind: 'firewall', key: /--hashlimit-name lvslableak/ },
};
const IPVS: Record<string, Expect> = {
  ...COMMON,
  'client.fwmark-unmarked': { refused: /its service is TCP 10\.131\.100\.1:80, this run's is FWM 7/ },
  'director.direct-rip-unreachable': { host: 'director', kind: 'sysctl', key: /^net\.ipv4\.vs\.nat_icmp_send$/ },
  'director.expire-nodest-off': { host: 'director', kind: 'ipvs', key: /^service TCP 10\.131\.100\.1:80 -> 10\.131\.2\.11:80$/ },
  'director.ftp-helper-missing': { host: 'director', kind: 'ipvs', key: /^service TCP 10\.131\.100\.1:21$/ },
  'director.ipvs-unavailable': { host: 'director', kind: 'sysctl', key: /^net\.ipv4\.vs$/ },
  'director.no-virtual-service': { host: 'director', kind: 'ipvs', key: /^service TCP 10\.131\.100\.1:80$/ },
  'director.no-weight': { host: 'director', kind: 'ipvs', key: /^service TCP 10\.131\.100\.1:80 -> 10\.131\.2\.11:80$/ },
  'director.not-masq': { host: 'director', kind: 'ipvs', key: /^service TCP 10\.131\.100\.1:80 -> 10\.131\.2\.11:80$/ },
  'director.snat-reroute': { host: 'director', kind: 'sysctl', key: /^net\.ipv4\.vs\.snat_reroute$/ },
  'director.vs-conntrack-off': { host: 'director', kind: 'firewall', key: /^iptables -t filter chain FORWARD policy$/ },
  'director.untranslated-leak': {
    exempt: "the IPVS TCP timeout (ipvsadm --set) and rs1's think time make the entry expire; the doctor reads neither (only the lab's pinning, rs2 and rs3 at weight 0, differs)",
  },
};

function faultsIn(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

describe.each([
  ['bundles', NETNS],
  ['bundles-ipvs', IPVS],
])('fixtures/%s: healthy against each fault bundle', (dir, table) => {
  it('has an expectation for every recorded fault', () => {
    expect(faultsIn(dir).filter((f) => !(f in table))).toEqual([]);
  });

  for (const fault of faultsIn(dir)) {
    const want = table[fault];
    if (!want || 'exempt' in want) continue;
    it(`${fault}: ${'refused' in want ? 'refused as another site' : `names ${want.host}'s ${want.kind}`}`, async () => {
      const run = compare(join(root, dir, 'healthy'), join(root, dir, fault));
      if ('refused' in want) {
        await expect(run).rejects.toThrow(BaselineError);
        await expect(run).rejects.toThrow(want.refused);
        return;
      }
      const report = await run;
      // A table that appears with its empty accepting chains changed nothing a packet meets.
      expect(report.differences.filter((d) => d.key.endsWith(' policy') && /^accept$/i.test(d.after ?? d.before ?? ''))).toEqual([]);
      const named = report.differences.filter((d) => d.host === want.host && d.kind === want.kind && want.key.test(d.key));
      expect(named, JSON.stringify(report.differences, null, 1)).not.toEqual([]);
      // A healthy baseline: the change explains this run's diagnosis of the injected fault, where the doctor named it.
      const result = await replayBundle(join(root, dir, fault));
      if (result.diagnoses.some((d) => d.id === fault && d.hosts.includes(want.host))) {
        expect(named.some((d) => d.explains.includes(fault as never)), `${fault} linked`).toBe(true);
      }
      expect(schemaErrors(JSON.parse(JSON.stringify({ ...result, baseline: report })))).toEqual([]);
    });
  }
});

describe('no noise', () => {
  it('healthy against healthy recorded on another day: no difference, hundreds of facts compared', async () => {
    const report = await compare(join(root, 'bundles/healthy'), join(root, 'bundles-later/healthy'));
    expect(report.differences).toEqual([]);
    expect(report.compared).toBeGreaterThan(200);
    expect(report.ageSeconds).toBeGreaterThan(3600);
    expect(report.previous).toBeNull();
  });
});

describe('no noise on real IPVS', () => {
  it('two boots of the guest: the kernel-derived sync_qlen_max differs in the recordings, not in the comparison', async () => {
    // The leak bundle was recorded after another boot of the guest than healthy; the only change
    // between the two is the lab's pinning of the fault (rs2 and rs3 at weight 0).
    const qlen = async (dir: string): Promise<string[]> => {
      const b = await readBundle(join(root, dir));
      const entry = b.manifest.entries.find((e) => e.host === 'director' && e.argv[0] === 'sysctl' && e.argv.includes('net.ipv4.vs'))!;
      return Buffer.from(b.files.get(entry.stdoutFile)!).toString('utf8').split('\n').filter((l) => l.startsWith('net.ipv4.vs.sync_qlen_max'));
    };
    expect(await qlen('bundles-ipvs/healthy')).toEqual(['net.ipv4.vs.sync_qlen_max = 7344']);
    expect(await qlen('bundles-ipvs/director.untranslated-leak')).toEqual(['net.ipv4.vs.sync_qlen_max = 7346']);
    const report = await compare(join(root, 'bundles-ipvs/healthy'), join(root, 'bundles-ipvs/director.untranslated-leak'));
    expect(report.differences.map((d) => `${d.host} ${d.kind} ${d.key}: ${d.before} -> ${d.after}`)).toEqual([
      'director ipvs service TCP 10.131.100.1:80 -> 10.131.2.12:80: Masq weight 1 -> Masq weight 0',
      'director ipvs service TCP 10.131.100.1:80 -> 10.131.2.13:8080: Masq weight 1 -> Masq weight 0',
    ]);
  });
});

describe('another site', () => {
  it('is refused with what differs', async () => {
    const run = compare(join(root, 'bundles-ipvs/healthy'), join(root, 'bundles/healthy'));
    await expect(run).rejects.toThrow(/another site: its service is TCP 10\.131\.100\.1:80, this run's is TCP 10\.217\.100\.1:80/);
  });

  it('a baseline that is no bundle is refused, bounded like replay', async () => {
    const now = await readBundle(join(root, 'bundles/healthy'));
    const topology = validateTopology(now.manifest.topology, 'x');
    await expect(openBaseline(join(root, 'parsers'), 'given', topology)).rejects.toThrow(/cannot open baseline/);
  });
});

describe('the previous status', () => {
  it('of a given baseline is its own replayed verdict', async () => {
    const now = await readBundle(join(root, 'bundles/realserver.reply-route'));
    const topology = validateTopology(now.manifest.topology, 'x');
    const loaded = await openBaseline(join(root, 'bundles/healthy'), 'given', topology);
    expect(loaded.previous).toMatchObject({ verdict: 'ok', diagnoses: [] });
    const broken = await openBaseline(join(root, 'bundles/realserver.reply-route'), 'given', topology);
    expect(broken.previous?.verdict).toBe('fail');
    expect(broken.previous?.diagnoses[0]).toEqual({ id: 'realserver.reply-route', hosts: ['rs1'] });
  });
});
