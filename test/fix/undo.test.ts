// The rollback builders on real readings (fixtures/fix, SOURCES.md): what each fix kind saves
// and the exact argv that puts it back; and the readings they refuse to build on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyCommand, type FixAction } from '../../src/fix/actions.js';
import { applyArgv, buildRollback, readsFor, UndoRefusal, type Saved } from '../../src/fix/undo.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/fix', name), 'utf8');
const ipvsadm = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ipvsadm', name), 'utf8');

function action(command: string): FixAction {
  const c = classifyCommand(command);
  if (c.kind !== 'action') throw new Error(`${command}: ${JSON.stringify(c)}`);
  return c.action;
}

/** The rollback of `command` when its reading printed `output`. */
function rollbackOf(command: string, output: string, exitCode = 0): { commands: string[][]; note: string } {
  const a = action(command);
  const saved: Saved[] = readsFor(a).map((argv) => ({ argv, output, exitCode }));
  return buildRollback(a, saved);
}

describe('rollback builders on real readings', () => {
  it('route: the route read before is put back word for word', () => {
    const cmd = 'ip route replace default via 10.219.2.1';
    expect(readsFor(action(cmd))).toEqual([['ip', 'route', 'show', 'exact', 'default']]);
    expect(applyArgv(action(cmd))).toEqual(['ip', 'route', 'replace', 'default', 'via', '10.219.2.1']);
    expect(rollbackOf(cmd, fixture('rs1-reply-route--ip-route-show-exact-default.out')).commands).toEqual([['ip', 'route', 'replace', 'default', 'via', '10.219.2.254', 'dev', 'fix1-lan']]);
  });

  it('route: a host route on a bare address is put back as printed', () => {
    const r = rollbackOf('ip route replace 10.219.1.10/32 via 10.219.1.254 dev fix1-ext', fixture('director-rp-filter--ip-route-show-exact-cip.out'));
    expect(r.commands).toEqual([['ip', 'route', 'replace', '10.219.1.10', 'via', '10.219.2.254', 'dev', 'fix1-int']]);
  });

  it('route: no route before: the one added is deleted', () => {
    const r = rollbackOf('ip route add 10.219.3.10/32 via 10.219.2.1 dev fix1-lan', fixture('rs1-healthy--ip-route-show-exact-host.out'));
    expect(r.commands).toEqual([['ip', 'route', 'del', '10.219.3.10/32', 'via', '10.219.2.1', 'dev', 'fix1-lan']]);
  });

  it('route: two routes of metric 0 for the destination are refused', () => {
    const two = `${fixture('rs1-reply-route--ip-route-show-exact-default.out')}${fixture('rs1-reply-route--ip-route-show-exact-default.out').replace('10.219.2.254', '10.219.2.253')}`;
    expect(() => rollbackOf('ip route replace default via 10.219.2.1', two)).toThrow(UndoRefusal);
  });

  it('sysctl: the value read is written back; several values keep their order', () => {
    expect(rollbackOf('sysctl -w net.ipv4.conf.all.rp_filter=2', fixture('director-rp-filter--sysctl-n-all-rp_filter.out')).commands).toEqual([['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=1']]);
    expect(rollbackOf('sysctl -w net.ipv4.tcp_rmem=1', fixture('director--sysctl-n-tcp_rmem.out')).commands).toEqual([['sysctl', '-w', 'net.ipv4.tcp_rmem=4096 131072 33554432']]);
  });

  it('sysctl: a failed reading (no such key) refuses', () => {
    expect(() => rollbackOf('sysctl -w net.ipv4.vs.conntrack=1', '', 255)).toThrow(/failed \(exit 255\)/);
  });

  it('address: an address the interface did not hold is deleted again; one it held refuses', () => {
    expect(rollbackOf('ip addr add 10.219.100.1/32 dev fix1-ext', fixture('director-vip-not-local--ip-o-addr-show-dev-ext.out')).commands).toEqual([['ip', 'addr', 'del', '10.219.100.1/32', 'dev', 'fix1-ext']]);
    expect(() => rollbackOf('ip addr add 10.219.100.1/32 dev fix1-ext', fixture('director-healthy--ip-o-addr-show-dev-ext.out'))).toThrow(/already holds/);
  });

  it('iptables -D: the rule goes back at its position (second of INPUT here)', () => {
    const cmd = 'iptables -t filter -D INPUT -p tcp -m tcp --dport 80 -m comment --comment lvs-doctor-lab -j REJECT --reject-with icmp-port-unreachable';
    const r = rollbackOf(cmd, fixture('rs1-firewall-reject--iptables-save-t-filter.out'));
    expect(r.commands).toEqual([['iptables', '-t', 'filter', '-I', 'INPUT', '2', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-m', 'comment', '--comment', 'lvs-doctor-lab', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable']]);
  });

  it('iptables -D: a rule that is not there refuses', () => {
    expect(() => rollbackOf('iptables -t filter -D INPUT -p tcp -m tcp --dport 81 -j DROP', fixture('rs1-firewall-reject--iptables-save-t-filter.out'))).toThrow(/not in filter INPUT/);
  });

  it('iptables -A: the appended rule is deleted', () => {
    const r = rollbackOf('iptables -t filter -A INPUT -p tcp --dport 80 -j ACCEPT', fixture('rs1-firewall-reject--iptables-save-t-filter.out'));
    expect(r.commands).toEqual([['iptables', '-t', 'filter', '-D', 'INPUT', '-p', 'tcp', '--dport', '80', '-j', 'ACCEPT']]);
  });

  it('nft delete: the rule text goes back after the rule before it, or first', () => {
    const listing = fixture('director-healthy--nft-a-list-chain-ip-nat-LVSLAB.out');
    expect(rollbackOf('nft delete rule ip nat LVSLAB handle 155', listing).commands).toEqual([
      ['nft', 'add', 'rule', 'ip', 'nat', 'LVSLAB', 'position', '154', 'meta l4proto tcp numgen inc mod 2 0 counter packets 0 bytes 0 dnat to 10.219.2.12:80'],
    ]);
    expect(rollbackOf('nft delete rule ip nat LVSLAB handle 154', listing).commands[0].slice(0, 6)).toEqual(['nft', 'insert', 'rule', 'ip', 'nat', 'LVSLAB']);
    expect(() => rollbackOf('nft delete rule ip nat LVSLAB handle 1', listing)).toThrow(/no rule with handle 1/);
  });

  it('ipvsadm -e: the weight and forwarding method read are put back', () => {
    const r = rollbackOf('ipvsadm -e -t 10.1.0.10:80 -r 172.16.1.12:8080 -m -w 1', ipvsadm('ipvs-vm--nat-weight0-ipvsadm-ln.out'));
    expect(r.commands).toEqual([['ipvsadm', '-e', '-t', '10.1.0.10:80', '-r', '172.16.1.12:8080', '-m', '-w', '0']]);
  });

  it('ipvsadm -a / -A: what did not exist is removed; what existed refuses', () => {
    const listing = ipvsadm('ipvs-vm--nat-reply-route-ipvsadm-ln.out');
    expect(rollbackOf('ipvsadm -a -t 10.1.0.10:80 -r 172.16.1.13:80 -m -w 1', listing).commands).toEqual([['ipvsadm', '-d', '-t', '10.1.0.10:80', '-r', '172.16.1.13:80']]);
    expect(() => rollbackOf('ipvsadm -a -t 10.1.0.10:80 -r 172.16.1.11:80 -m -w 1', listing)).toThrow(/already/);
    expect(rollbackOf('ipvsadm -A -t 10.1.0.11:80 -s rr', listing).commands).toEqual([['ipvsadm', '-D', '-t', '10.1.0.11:80']]);
    expect(() => rollbackOf('ipvsadm -A -t 10.1.0.10:80 -s rr', listing)).toThrow(/exists already/);
  });

  it('modprobe: a module that was not loaded is unloaded again; a loaded one needs nothing', () => {
    const modules = fixture('ipvs-director-ftp-helper-missing--cat-proc-modules.out');
    expect(rollbackOf('modprobe ip_vs_ftp', modules).commands).toEqual([['modprobe', '-r', 'ip_vs_ftp']]);
    expect(rollbackOf('modprobe ip_vs_rr', modules).commands).toEqual([]);
  });

  it('a reading with control characters refuses', () => {
    expect(() => rollbackOf('sysctl -w net.ipv4.ip_forward=1', '0\u001b[2J')).toThrow(/control characters/);
  });
});
