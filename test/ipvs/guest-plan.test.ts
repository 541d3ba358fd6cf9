// The real-IPVS lab's safety and wiring, without a guest: qemu's only network is its restricted
// user network with one forward per host sshd on 127.0.0.1; the guest forwards each port to that
// host's sshd and nothing else; IPVS is edited in place (never flushed) for weights and methods.
import { describe, expect, it } from 'vitest';
import { planLab } from '../../src/lab/plan.js';
import { qemuArgv } from '../../src/lab/guest.js';
import { CONTROL_PORT, guestLabScript, hostPort } from '../../src/lab/guest-site.js';
import { ipvsScript } from '../../src/lab/ipvs.js';

const plan = planLab('gt', 3);
const hosts = ['client', 'director', 'router', 'lanclient', 'rs1', 'rs2', 'rs3'];

describe('qemu for the real-IPVS lab', () => {
  const argv = qemuArgv(plan, '/cache/guest-x', '/run/lab/initrd.cpio', '/run/lab/console.log');
  const netdev = argv[argv.indexOf('-netdev') + 1];

  it('uses TCG and no default devices', () => {
    expect(argv[argv.indexOf('-accel') + 1]).toBe('tcg,tb-size=256');
    expect(argv).toContain('-nodefaults');
  });

  it('has one restricted user network whose forwards listen on 127.0.0.1 only', () => {
    expect(argv.filter((a) => a === '-netdev')).toHaveLength(1);
    expect(netdev.split(',')).toContain('restrict=on');
    const forwards = netdev.split(',').filter((p) => p.startsWith('hostfwd='));
    expect(forwards).toHaveLength(hosts.length + 1);
    for (const f of forwards) expect(f).toMatch(/^hostfwd=tcp:127\.0\.0\.1:\d+-10\.0\.2\.15:\d+$/);
    expect(forwards[0]).toBe(`hostfwd=tcp:127.0.0.1:${CONTROL_PORT}-10.0.2.15:22`);
  });
});

describe("the guest's site script", () => {
  const script = guestLabScript(plan);

  it('forwards one port per host sshd to its management address, and nothing else', () => {
    for (const name of hosts) {
      const host = plan.hosts.find((h) => h.name === name);
      expect(script).toContain(`--dport ${hostPort(plan, name)} -j DNAT --to-destination ${host?.mgmtAddress}:22`);
    }
    expect(script).toContain('iptables -P FORWARD DROP');
    expect(script.match(/-j DNAT/g)).toHaveLength(hosts.length);
  });

  it('balances VIP:80 with kernel IPVS over every realserver, masquerading', () => {
    for (const rs of plan.realservers) expect(script).toContain(`-r ${rs.rip}:${rs.rport} -m -w 1`);
  });
});

describe('ipvsScript', () => {
  it('edits weights and forwarding in place and never flushes the table', () => {
    const s = ipvsScript(plan, { service: true, weights: new Map([['rs2', 0]]), forwarding: new Map([['rs1', 'g']]) });
    expect(s).toContain(`ipvsadm -e -t ${plan.vip}:80 -r ${plan.realservers[0].rip}:80 -g -w 1`);
    expect(s).toContain(`ipvsadm -e -t ${plan.vip}:80 -r ${plan.realservers[1].rip}:80 -m -w 0`);
    expect(s).not.toMatch(/ipvsadm -C/);
  });

  it('serves a firewall-mark service without the mark rule when asked', () => {
    const s = ipvsScript(plan, { service: true, weights: new Map(), fwmark: true, markRule: false });
    expect(s).toContain(`ipvsadm -D -t ${plan.vip}:80`);
    expect(s).toContain('ipvsadm -A -f 7 -s rr');
    expect(s).not.toMatch(/iptables -t mangle -A/);
  });
});
