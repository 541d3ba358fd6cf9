// Which first-round readings must be in before the test connection's first SYN, and the order
// a host's batch runs them in (src/engine/before-connection.ts), on the plan a run over the
// recorded lab's inventory sends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { beforeConnection, orderForConnection } from '../../src/engine/before-connection.js';
import { planBeforeConnection, type ProbeJob } from '../../src/engine/probe-plan.js';
import { QUICK_PER_SESSION } from '../../src/transport/transport.js';
import type { Topology } from '../../src/model/topology.js';

const topology = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bundles/healthy/manifest.json'), 'utf8')) as { topology: Topology }).topology;
const jobs = planBeforeConnection(topology, CHECKS);
const why = (j: Pick<ProbeJob, 'host' | 'name'>) => beforeConnection(j, 'director', 'client');
const command = (j: ProbeJob) => j.probe.argv.join(' ');

describe('beforeConnection', () => {
  it('holds the SYN for the counters it changes, the pings that meet it, uname and the client\'s tools, and the director\'s sysctls and addresses', () => {
    const held = jobs.filter((j) => why(j) !== null).map((j) => `${j.host} ${command(j)}`);
    expect(held.filter((c) => c.startsWith('director '))).toEqual(expect.arrayContaining([
      'director uname -s -r', 'director ipvsadm -Ln', 'director iptables-save -c', 'director nft list ruleset',
      'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.11', 'director ping -n -c1 -W1 -I 10.217.2.1 10.217.2.13',
      'director sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs',
      // Its lines name the interface index of each packet of the director's one capture.
      'director ip -o addr',
    ]));
    expect(held).toEqual(expect.arrayContaining(['client sh -c for t do command -v "$t" || true; done sh curl bash socat nc', 'rs2 iptables-save -c', 'rs2 nft list ruleset', 'rs2 ss -ltn']));
    // Not the realservers' ping and traceroute towards the client: the director's readings say
    // whether the SYN waits for them (a director that may redirect them), see the next test.
    expect(held.filter((c) => / (ping|traceroute) .* 10\.217\.1\.10$/.test(c))).toEqual([]);
  });

  it('lets the reads the connection neither changes nor meets run beside it, and the realservers\' ping and traceroute (the SYN waits for them only if the director may redirect them)', () => {
    const free = jobs.filter((j) => why(j) === null).map((j) => `${j.host} ${command(j)}`);
    expect(free.sort()).toEqual([
      'client ip -o addr', 'client ip route get 10.217.100.1',
      'director cat /proc/modules', 'director ip route get 10.217.1.10 from 10.217.2.11 iif rec-int',
      'director ip route get 10.217.1.10 from 10.217.2.12 iif rec-int', 'director ip route get 10.217.1.10 from 10.217.2.13 iif rec-int',
      'director ip route get 10.217.100.1 from 10.217.1.10 iif rec-ext', 'director ip rule', 'director ipvsadm -Ln --timeout',
      'rs1 ip -o addr', 'rs1 ip route get 10.217.1.10 from 10.217.2.11', 'rs1 ip rule', 'rs1 ping -n -c1 -W1 -I 10.217.2.11 10.217.1.10', 'rs1 sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs', 'rs1 traceroute -n -w1 -q1 -m8 -s 10.217.2.11 10.217.1.10',
      'rs2 ip -o addr', 'rs2 ip route get 10.217.1.10 from 10.217.2.12', 'rs2 ip rule', 'rs2 ping -n -c1 -W1 -I 10.217.2.12 10.217.1.10', 'rs2 sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs', 'rs2 traceroute -n -w1 -q1 -m8 -s 10.217.2.12 10.217.1.10',
      'rs3 ip -o addr', 'rs3 ip route get 10.217.1.10 from 10.217.2.13', 'rs3 ip rule', 'rs3 ping -n -c1 -W1 -I 10.217.2.13 10.217.1.10', 'rs3 sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs', 'rs3 traceroute -n -w1 -q1 -m8 -s 10.217.2.13 10.217.1.10',
    ]);
  });
});

describe('orderForConnection', () => {
  const director = jobs.filter((j) => j.host === 'director');
  const ordered = orderForConnection(director, 'director', 'client');

  it('runs the director\'s pings to the RIPs first (their ARP starts first), then what the SYN waits for, then the rest, each in plan order', () => {
    expect(ordered.map((j) => j.name)).toEqual(['ping-rip', 'ping-rip', 'ping-rip', 'uname', 'ipvsadm', 'iptables-save', 'nft', 'ip-addr', 'sysctl', 'modules', 'ip-rule', 'route-get-request', 'route-get-reply', 'route-get-reply', 'route-get-reply', 'ipvsadm-timeout']);
    expect(ordered.filter((j) => j.name === 'ping-rip').map((j) => j.target)).toEqual(['rs1', 'rs2', 'rs3']);
  });

  it('puts everything the SYN waits for in the director\'s first session (uname runs with it anyway)', () => {
    const firstSession = ordered.filter((j) => j.name !== 'uname').slice(0, QUICK_PER_SESSION - 1);
    expect(ordered.filter((j) => why(j) !== null && j.name !== 'uname').every((j) => firstSession.includes(j))).toBe(true);
  });
});
