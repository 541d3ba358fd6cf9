import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procPathToSysctlName, sysctlParser } from '../../src/parsers/sysctl.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/sysctl', name), 'utf8');
const parse = (text: string) => sysctlParser.parse(text);

describe('sysctl', () => {
  it('reads name = value lines, keeping the tab inside ip_local_port_range', () => {
    const r = parse(fixture('fx3lab--lvs-set.out'));
    expect(r.values['net.ipv4.ip_forward']).toBe('1');
    expect(r.values['net.ipv4.conf.int.send_redirects']).toBe('1');
    expect(r.values['net.ipv4.ip_local_port_range']).toBe('32768\t60999');
    expect(r.entries[4]).toMatchObject({ name: 'net.ipv4.ip_local_port_range', form: 'sysctl', line: 5 });
  });

  it('normalises /proc/sys paths from grep -H to dotted names', () => {
    const r = parse(fixture('fx3lab--rp-filter-glob.out'));
    expect(r.values).toEqual({
      'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0', 'net.ipv4.conf.eth0.rp_filter': '1', 'net.ipv4.conf.lo.rp_filter': '0',
    });
    expect(procPathToSysctlName('/proc/sys/net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
  });

  it('gives sysctl -n values in order and reports unknown keys as errors', () => {
    expect(parse(fixture('fx3lab--values-only.out')).bareValues.map((b) => b.value)).toEqual(['1', '32768\t60999']);
    expect(parse(fixture('fx3lab--unknown-key.out')).errors).toEqual([
      { key: 'net.ipv4.vs.conntrack', message: 'cannot stat /proc/sys/net/ipv4/vs/conntrack: No such file or directory', line: 1 },
    ]);
  });

  it('refuses a stray line among named values, naming it', () => {
    const text = fixture('fx3lab--lvs-set.out').replace('net.ipv4.icmp_ratelimit = 0', 'net.ipv4.icmp_ratelimit 0');
    expect(() => parse(text)).toThrow(ParseError);
    expect(() => parse(text)).toThrow(/line 6/);
  });
});
