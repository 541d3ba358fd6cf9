// The facts read from a bundle: what is a fact and what is noise, on real recordings.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareStates } from '../../src/baseline/compare.js';
import { bundleState } from '../../src/baseline/state-facts.js';
import { readBundle, type Bundle } from '../../src/transport/bundle.js';

const root = new URL('../../fixtures/', import.meta.url).pathname;

/** The bundle as if iptables-save had not been recorded: nft's view of the same tables is then the only one. */
function withoutIptablesSave(b: Bundle): Bundle {
  return { ...b, manifest: { ...b.manifest, entries: b.manifest.entries.filter((e) => e.argv[0] !== 'iptables-save') } };
}

describe('bundleState', () => {
  it('reads nft rules without their counters: two healthy recordings with other counts are the same rules', async () => {
    const a = withoutIptablesSave(await readBundle(join(root, 'bundles/healthy')));
    const b = withoutIptablesSave(await readBundle(join(root, 'bundles-later/healthy')));
    const [sa, sb] = [await bundleState(a), await bundleState(b)];
    const nftRules = [...sa.get('director')!.facts.values()].filter((f) => f.source === 'nft');
    expect(nftRules.map((f) => f.key)).toContain('nft ip nat chain LVSLAB: meta l4proto tcp numgen inc mod 3 0 counter dnat to 10.217.2.11:80');
    expect(compareStates(sa, sb).differences).toEqual([]);
  });

  it('reports a rule of iptables-nft once: its nft mirror is dropped when iptables-save read the table', async () => {
    const state = await bundleState(await readBundle(join(root, 'bundles/healthy')));
    const director = [...state.get('director')!.facts.values()];
    expect(director.filter((f) => f.source === 'nft' && f.key.startsWith('nft ip nat '))).toEqual([]);
    expect(director.some((f) => f.source === 'iptables-save' && /-j LVSLAB$/.test(f.key))).toBe(true);
  });

  it('keeps the IPVS table of ipvsadm -Ln and not the connection listing (-Lnc)', async () => {
    const state = await bundleState(await readBundle(join(root, 'bundles-ipvs/healthy')));
    const ipvs = [...state.get('director')!.facts.values()].filter((f) => f.kind === 'ipvs');
    expect(ipvs.map((f) => `${f.key} = ${f.value}`)).toEqual([
      'IPVS table = readable',
      'service TCP 10.131.100.1:80 = rr',
      'service TCP 10.131.100.1:80 -> 10.131.2.11:80 = Masq weight 1',
      'service TCP 10.131.100.1:80 -> 10.131.2.12:80 = Masq weight 1',
      'service TCP 10.131.100.1:80 -> 10.131.2.13:8080 = Masq weight 1',
      'service TCP 10.131.100.1:443 = rr',
      'service TCP 10.131.100.1:443 -> 10.131.2.11:80 = Masq weight 1',
    ]);
  });

  it('keeps only the sysctls a check reads', async () => {
    const state = await bundleState(await readBundle(join(root, 'bundles-ipvs/healthy')));
    const names = [...state.get('director')!.facts.values()].filter((f) => f.kind === 'sysctl').map((f) => f.key);
    expect(names).toContain('net.ipv4.ip_forward');
    expect(names).toContain('net.ipv4.conf.all.rp_filter');
    expect(names).toContain('net.ipv4.vs.conntrack');
    expect(names.filter((n) => /\.(?:mc_forwarding|log_martians|arp_notify|bootp_relay)$/.test(n))).toEqual([]);
  });
});
