// The host/access flags: strict values, and the documented precedence over an inventory.
import { describe, expect, it } from 'vitest';
import { applyAccessOverrides, checkAccessFlags, parseVipFlag } from '../../src/commands/access-flags.js';
import { monitored, monitoringFormatOf } from '../../src/commands/monitoring.js';
import type { CommandIO } from '../../src/commands/io.js';
import { parseInventory } from '../../src/discover/inventory.js';

describe('parseVipFlag', () => {
  it('reads VIP, VIP:PORT, a bare IPv6 and [IPv6]:PORT, in one spelling', () => {
    expect(parseVipFlag('10.0.0.10')).toEqual({ vip: '10.0.0.10' });
    expect(parseVipFlag('10.0.0.10:80')).toEqual({ vip: '10.0.0.10', vport: 80 });
    expect(parseVipFlag('2001:db8::10')).toEqual({ vip: '2001:db8::10' });
    expect(parseVipFlag('[2001:DB8:0::10]:443')).toEqual({ vip: '2001:db8::10', vport: 443 });
    expect(parseVipFlag('::ffff:10.0.0.10')).toEqual({ vip: '10.0.0.10' });
  });
  it.each(['10.0.0.1;id:80', '10.0.0.10:70000', '10.0.0.10:0x50', '10.0.0.10:8e1', 'lvs1:80', '[10.0.0.1;id]:80', ''])('refuses %j', (text) => {
    expect(() => parseVipFlag(text)).toThrow(/--vip/);
  });
});

describe('checkAccessFlags', () => {
  it('turns the flags into overrides', () => {
    expect(checkAccessFlags({ user: 'ops', port: '2222', identity: '/k', jump: 'admin@bastion:2200,gw', sudo: true, 'ssh-config': '/etc/c' })).toEqual({ user: 'ops', port: 2222, identityFile: '/k', jump: 'admin@bastion:2200,gw', sudo: true, sshConfig: '/etc/c' });
    expect(checkAccessFlags({})).toEqual({});
  });
  it.each([
    [{ director: 'x;touch /tmp/p' }, '--director'],
    [{ client: '-oProxyCommand=x' }, '--client'],
    [{ user: 'a b' }, '--user'],
    [{ port: '0' }, '--port'],
    [{ port: '22 ' }, '--port'],
    [{ jump: 'h;id' }, '--jump'],
    [{ identity: '-oX' }, '--identity'],
    [{ 'ssh-config': 'a\nb' }, '--ssh-config'],
    [{ 'off-limits': 'rs1,$(id)' }, '--off-limits'],
  ])('refuses %j naming %s', (values, flag) => {
    expect(() => checkAccessFlags(values)).toThrow(new RegExp(`^${flag.replace(/-/g, '\\-')} `));
  });
});

describe('applyAccessOverrides', () => {
  const inv = parseInventory([
    'sshConfig: /lab/ssh_config',
    'service: { vip: 10.0.0.10, vport: 80 }',
    'director: { name: director, ssh: { host: lvs1, user: admin, port: 22 } }',
    'client: { name: client, access: local }',
    'realservers:',
    '  - { name: rs1, ssh: { host: rs1, jump: lvs1 }, rip: 10.1.1.11 }',
    '  - { name: rs2, access: none, rip: 10.1.1.12 }',
  ].join('\n')).topology;
  it('the command line replaces the host values and puts --jump first', () => {
    const t = applyAccessOverrides(inv, { user: 'ops', port: 2222, identityFile: '/k', jump: 'bastion', sudo: true, sshConfig: '/c' });
    expect(t.director.ssh).toEqual({ host: 'lvs1', user: 'ops', port: 2222, identityFile: '/k', jump: 'bastion', sudo: true, configFile: '/c' });
    expect(t.realservers[0].ssh).toEqual({ host: 'rs1', user: 'ops', port: 2222, identityFile: '/k', jump: 'bastion,lvs1', sudo: true, configFile: '/c' });
    expect(t.realservers[1]).toEqual(inv.realservers[1]);
    expect(t.client).toEqual(inv.client);
  });
  it('a flag not given keeps the inventory value', () => {
    const t = applyAccessOverrides(inv, { jump: 'bastion' });
    expect(t.director.ssh).toEqual({ host: 'lvs1', user: 'admin', port: 22, jump: 'bastion', configFile: '/lab/ssh_config' });
    expect(inv.director.ssh?.jump).toBeUndefined();
  });
});

function memoryIO(): CommandIO & { stdout: string } {
  const io = { stdout: '', out: (t: string) => void (io.stdout += t), err: () => undefined, readStdin: async () => new Uint8Array(), isTTY: false, env: {} };
  return io;
}

describe('monitoring fallbacks', () => {
  it('reads --format in every spelling, and only the monitoring ones', () => {
    expect(monitoringFormatOf(['--format', 'nagios'])).toBe('nagios');
    expect(monitoringFormatOf(['--format=prometheus'])).toBe('prometheus');
    expect(monitoringFormatOf(['-f', 'nagios'])).toBe('nagios');
    expect(monitoringFormatOf(['-fnagios'])).toBe('nagios');
    expect(monitoringFormatOf(['--format', 'text'])).toBeUndefined();
    expect(monitoringFormatOf(['--', '--format', 'nagios'])).toBeUndefined();
  });
  it('an internal error (70) under nagios is UNKNOWN with the message, exit 3', () => {
    const io = memoryIO();
    const g = monitored('nagios', io);
    g.io.err('lvs-doctor: internal error: boom | x\n');
    expect(g.finish(70)).toBe(3);
    expect(io.stdout).toBe('LVS-DOCTOR UNKNOWN - internal error: boom / x\n');
  });
  it('a report already printed stands', () => {
    const io = memoryIO();
    const g = monitored('nagios', io);
    g.io.out('LVS-DOCTOR OK - fine | x=1\n');
    expect(g.finish(0)).toBe(0);
    expect(io.stdout).toBe('LVS-DOCTOR OK - fine | x=1\n');
  });
  it('no result at all (exit 3, nothing printed) still prints one line', () => {
    const io = memoryIO();
    expect(monitored('nagios', io).finish(3)).toBe(3);
    expect(io.stdout).toMatch(/^LVS-DOCTOR UNKNOWN - /);
    const prom = memoryIO();
    expect(monitored('prometheus', prom).finish(70)).toBe(70);
    expect(prom.stdout).toMatch(/^lvs_doctor_up 0\nlvs_doctor_exit_code 70$|lvs_doctor_up 0[\s\S]*lvs_doctor_exit_code 70/);
  });
});
