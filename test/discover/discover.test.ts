import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discoverTopology } from '../../src/discover/discover.js';
import { discoverFromConfig } from '../../src/discover/from-config.js';
import { inventoryToYaml } from '../../src/discover/inventory-yaml.js';
import { parseInventory } from '../../src/discover/inventory.js';
import { DiscoveryError } from '../../src/discover/pick-service.js';
import type { HostSpec } from '../../src/model/topology.js';
import { CapturedTransport } from './fake-transport.js';

const fixture = (parser: string, file: string) => readFileSync(new URL(`../../fixtures/parsers/${parser}/${file}`, import.meta.url), 'utf8');

// The fc6 director: no IPVS, iptables DNAT round robin (captures in test/discover/captures/).
const director = new CapturedTransport({
  'director: ipvsadm -Ln': { stderrFile: 'fc6-director--ipvsadm-ln.out', exitCode: 2 },
  'director: iptables-save -c': { stdoutFile: 'fc6-director--iptables-save-c.out' },
  'director: ip -o addr': { stdoutFile: 'fc6-director--ip-o-addr.out' },
  'director: ip route show table all': { stdoutFile: 'fc6-director--ip-route-show-table-all.out' },
});

function connectFor(reachable: (spec: HostSpec) => boolean) {
  const tried: HostSpec[] = [];
  const connect = (hosts: HostSpec[]) => {
    tried.push(...hosts);
    const byName = new Map(hosts.map((h) => [h.name, h]));
    return new CapturedTransport(
      {
        'client: ip route get 172.31.4.10': { stdoutFile: 'fc6-client--ip-route-get-vip.out' },
        ...Object.fromEntries(hosts.filter((h) => h.role === 'realserver').map((h) => [`${h.name}: true`, {}])),
      },
      (host) => (reachable(byName.get(host)!) ? null : 'ssh: connect to host port 22: Connection refused'),
    );
  };
  return { connect, tried };
}

describe('discoverTopology (director only)', () => {
  it('several services and no --vip: an error that lists them', async () => {
    const err = await discoverTopology(director, { director: 'lvs1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as Error).message).toContain('choose one with --vip');
    expect((err as Error).message).toContain('TCP 172.31.4.10:80 (3 realservers, from iptables)');
  });

  it('finds the service from the NAT rules, ext/int/DIP, the local client, and realservers through the director', async () => {
    // rs1 answers directly, rs2 only through the director, rs3 refuses both.
    const { connect, tried } = connectFor((h) => h.role === 'client' || (h.ssh?.host === '10.44.1.11') || (h.ssh?.host === '10.44.1.12' && h.ssh.jump !== undefined));
    const { topology, notes } = await discoverTopology(director, { director: 'lvs1', user: 'admin', vip: '172.31.4.10', vport: 80, connect });
    expect(topology.service).toEqual({ protocol: 'TCP', vip: '172.31.4.10', vport: 80 });
    expect(topology.director).toEqual({ name: 'director', role: 'director', access: 'ssh', ssh: { host: 'lvs1', user: 'admin' }, ext: 'd-ext', int: 'br-int', dip: '10.44.1.1' });
    expect(topology.client).toEqual({ name: 'client', role: 'client', access: 'local', cip: '172.31.4.2', implicit: true });
    expect(topology.realservers).toEqual([
      { name: 'rs1', role: 'realserver', access: 'ssh', ssh: { host: '10.44.1.11', user: 'admin' }, rip: '10.44.1.11', rport: 80 },
      { name: 'rs2', role: 'realserver', access: 'ssh', ssh: { host: '10.44.1.12', user: 'admin', jump: 'admin@lvs1' }, rip: '10.44.1.12', rport: 80 },
      { name: 'rs3', role: 'realserver', access: 'none', rip: '10.44.1.13', rport: 8080 },
    ]);
    expect(notes.join('\n')).toMatch(/no IPVS service \(Can't initialize ipvs: Protocol not available\); the service comes from netfilter NAT rules/);
    expect(notes.join('\n')).toMatch(/rs3 \(10\.44\.1\.13\) refused ssh \(direct: .*Connection refused; via admin@lvs1: .*\): marked off-limits/);
    expect(tried.filter((h) => h.name === 'rs1')).toHaveLength(1);
  });

  it('an unknown --vip names what there is', async () => {
    await expect(discoverTopology(director, { director: 'lvs1', vip: '172.31.4.99' })).rejects.toThrow(/no virtual service at 172\.31\.4\.99 in the iptables nat table; found:\n  TCP 172\.31\.4\.10:80/);
  });

  it('without connect: realservers off-limits with a note, no cip', async () => {
    const { topology, notes } = await discoverTopology(director, { director: 'lvs1', vip: '172.31.4.10', vport: 81 });
    expect(topology.realservers.map((r) => [r.rip, r.rport, r.access])).toEqual([['10.44.1.11', 80, 'none'], ['10.44.1.12', 80, 'none']]);
    expect(topology.client.cip).toBeUndefined();
    expect(notes).toContain('rs1 (10.44.1.11) was not tried over ssh: marked off-limits');
  });
});

describe('discoverFromConfig', () => {
  it('keepalived NAT sample: the service, its realserver, the director left to fill in', () => {
    const { topology, notes } = discoverFromConfig(fixture('keepalived', 'keepalived-samples--sample-nat-http-get.out'), 'keepalived');
    expect(topology.service).toEqual({ protocol: 'TCP', vip: '10.10.10.2', vport: 1358 });
    expect(topology.realservers).toEqual([{ name: 'rs1', role: 'realserver', access: 'none', rip: '192.168.200.2', rport: 1358 }]);
    expect(topology.director.access).toBe('none');
    expect(notes).toContain('the director has no ssh entry: add director.ssh.host (the checks need the director)');
  });

  it('keepalived wlc NAT (kubeinit) with --director', () => {
    const { topology } = discoverFromConfig(fixture('keepalived', 'kubeinit--lb-algo-wlc-nat.out'), 'keepalived', { director: 'lb1' });
    expect(topology.service).toEqual({ protocol: 'TCP', vip: '10.23.8.80', vport: 80 });
    expect(topology.realservers.map((r) => r.rip)).toEqual(['172.18.1.11', '172.18.1.12', '172.18.1.13']);
    expect(topology.director.ssh).toEqual({ host: 'lb1' });
  });

  it('ldirectord sample: gate (direct routing) realservers are called out, not silently taken as NAT', () => {
    const { topology, notes } = discoverFromConfig(fixture('ldirectord', 'resource-agents--sample-gate.out'), 'ldirectord');
    expect(topology.service).toEqual({ protocol: 'TCP', vip: '192.168.6.240', vport: 80 });
    expect(topology.realservers.map((r) => `${r.rip}:${r.rport}`)).toEqual(['192.168.6.2:80', '192.168.6.3:80', '192.168.6.6:80']);
    expect(notes).toContain('realserver 192.168.6.2 forwards by Route, not Masq (see director.not-masq)');
  });

  it("the seed's lvs.conf names the VIP by host name: refused without --vip, taken with it", () => {
    const text = fixture('lvs-conf', 'seed--lvs-nat-one-network.out');
    expect(() => discoverFromConfig(text, 'lvs-conf')).toThrow(/'lvs' is a host name; give --vip/);
    const { topology, notes } = discoverFromConfig(text, 'lvs-conf', { vip: '192.168.1.110' });
    expect(topology.service).toEqual({ protocol: 'TCP', vip: '192.168.1.110', vport: 23 });
    expect(topology.realservers.map((r) => r.rip)).toEqual(['realserver1', 'realserver2', 'realserver3']);
    expect(notes).toContain("rs1: 'realserver1' is a host name in the lvs-conf file: replace it with the realserver's address");
  });
});

describe('inventoryToYaml', () => {
  it('writes the inventory shape that the loader reads back to the same topology', async () => {
    const { connect } = connectFor((h) => h.role === 'client' || h.ssh?.host === '10.44.1.11');
    const { topology, notes } = await discoverTopology(director, { director: 'lvs1', user: 'admin', sudo: true, vip: '172.31.4.10', vport: 80, connect });
    const yaml = inventoryToYaml(topology, { notes, sshConfig: '/etc/lvs-doctor/ssh_config' });
    expect(yaml).toContain('service: { protocol: TCP, vip: 172.31.4.10, vport: 80 }\n');
    expect(yaml).toContain('director: { name: director, ssh: { host: lvs1, user: admin, sudo: true }, ext: d-ext, int: br-int, dip: 10.44.1.1 }\n');
    expect(yaml).toContain('# client: { name: client, access: local, cip: 172.31.4.2 }   # this machine (no --client): uncomment only if it is on the client side, or name a client\n');
    expect(yaml).toContain('  - { name: rs3, access: none, rip: 10.44.1.13, rport: 8080 }   # off-limits: director-only checks\n');
    expect(yaml).toMatch(/^# note: no IPVS service/m);
    const back = parseInventory(yaml, 'discovered.yaml');
    expect(back.sshConfig).toBe('/etc/lvs-doctor/ssh_config');
    const withConfig = (h: { ssh?: object }) => (h.ssh ? { ...h, ssh: { ...h.ssh, configFile: '/etc/lvs-doctor/ssh_config' } } : h);
    expect(back.topology).toEqual({
      ...topology,
      director: withConfig(topology.director),
      // Not named, so not written: read back as this machine again, which finds its own address.
      client: { name: 'client', role: 'client', access: 'local', implicit: true },
      realservers: topology.realservers.map(withConfig),
    });
  });

  it('quotes what YAML would read as something else', () => {
    const { topology } = discoverFromConfig(fixture('keepalived', 'keepalived-samples--ipv6.out'), 'keepalived');
    const yaml = inventoryToYaml(topology);
    expect(yaml).toMatch(/vip: "[0-9a-f:]+"/);
    expect(parseInventory(yaml).topology.service.vip).toBe(topology.service.vip);
  });
});

describe('runDiscovery and compareWithConfig', () => {
  it('config only: the YAML of what the file declares', async () => {
    const { runDiscovery } = await import('../../src/discover/index.js');
    const text = fixture('keepalived', 'kubeinit--lb-algo-wlc-nat.out');
    const { yaml } = await runDiscovery({ config: { text, path: '/etc/keepalived/keepalived.conf' } });
    expect(parseInventory(yaml).topology.realservers.map((r) => r.rip)).toEqual(['172.18.1.11', '172.18.1.12', '172.18.1.13']);
    await expect(runDiscovery({ config: { text, path: '/tmp/whatever.txt' } })).rejects.toThrow(/cannot tell the kind/);
  });

  it('a director whose table lacks a realserver the file lists is called out', async () => {
    const { compareWithConfig } = await import('../../src/discover/index.js');
    const text = fixture('keepalived', 'kubeinit--lb-algo-wlc-nat.out');
    const declared = discoverFromConfig(text, 'keepalived');
    const live = { ...declared, topology: { ...declared.topology, realservers: declared.topology.realservers.slice(0, 2) } };
    expect(compareWithConfig(live, text, 'keepalived')).toEqual([
      "the keepalived file lists realserver 172.18.1.13:80, the director's table does not (health check took it out?)",
    ]);
    expect(compareWithConfig(declared, text, 'keepalived')).toEqual(['the keepalived file and the director agree on the realservers of 10.23.8.80:80']);
    const elsewhere = { ...declared, topology: { ...declared.topology, service: { ...declared.topology.service, vport: 81 } } };
    expect(compareWithConfig(elsewhere, text, 'keepalived')[0]).toMatch(/^the keepalived file does not declare 10\.23\.8\.80:81/);
  });
});
