// Which printed fix commands the write path takes, sets aside or refuses, with the checks'
// real commands (fixtures/bundles replayed) and hostile values.
import { describe, expect, it } from 'vitest';
import { classifyCommand } from '../../src/fix/actions.js';
import { WITHHELD_FIX } from '../../src/engine/fix-guard.js';

const kind = (c: string): string => classifyCommand(c).kind;

describe('classifyCommand', () => {
  it('takes the commands the checks print for the lab faults', () => {
    for (const c of [
      'sysctl -w net.ipv4.ip_forward=1',
      'sysctl -w net.ipv4.conf.rec-ext.rp_filter=2',
      'ip route replace default via 10.217.2.1',
      'ip route add 10.217.3.10/32 via 10.217.2.1 dev rec-lan',
      'ip route flush cache',
      'ip addr add 10.217.100.1/32 dev rec-ext',
      'iptables -t filter -D FORWARD -s 10.217.1.10/32 -i rec-ext -m comment --comment lvs-doctor-lab -j DROP',
      'iptables -t nat -A PREROUTING -d 10.217.100.1/32 -p tcp --dport 80 -j DNAT --to-destination 10.217.2.11:80',
      'ipvsadm -e -t 10.131.100.1:80 -r 10.131.2.11:80 -m -w 1',
      'ipvsadm -A -t 10.131.100.1:80 -s rr',
      'nft delete rule inet filter input handle 6',
      'modprobe ip_vs_ftp',
    ]) expect(kind(c), c).toBe('action');
  });

  it('sets aside reads and boot configuration', () => {
    expect(kind('ip route get 10.217.1.10 from 10.217.2.11')).toBe('look');
    expect(kind("ss -ltn 'sport = :8080'")).toBe('look');
    expect(kind('ip -o addr show to 10.217.2.11')).toBe('look');
    expect(kind("echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-lvs.conf")).toBe('boot-config');
  });

  it('refuses placeholders, withheld commands, unknown programs and bad values', () => {
    expect(classifyCommand('ip addr add 10.217.2.11/24 dev DEV')).toMatchObject({ kind: 'refused', why: expect.stringMatching(/placeholder DEV/) });
    expect(kind(WITHHELD_FIX)).toBe('refused');
    expect(kind('rm -rf /')).toBe('refused');
    expect(kind('ip route replace default via 10.0.0.300')).toBe('refused');
    expect(kind('sysctl -w net.ipv4.ip_forward=1;reboot')).toBe('refused');
    expect(kind("sysctl -w 'net.ipv4.ip_forward=1 2'")).toBe('refused');
    expect(kind("iptables -t nat -A POSTROUTING -j LOG --log-prefix '$(id)'")).toBe('refused');
    expect(kind('iptables -t filter -F INPUT')).toBe('refused');
    expect(kind('iptables -I INPUT -j ACCEPT')).toBe('refused');
    expect(kind('ipvsadm -C')).toBe('refused');
    expect(kind('ip route replace default via 10.0.0.1 dev eth0;id')).toBe('refused');
  });

  it('rebuilds the argv from the validated values', () => {
    const c = classifyCommand('ip route replace default via 10.217.2.1');
    expect(c).toEqual({ kind: 'action', action: { kind: 'route', verb: 'replace', destination: 'default', via: '10.217.2.1', dev: null } });
  });
});
