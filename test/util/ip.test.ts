import { describe, expect, it } from 'vitest';
import { canonicalIp, inSubnet, ipv4ToInt, intToIpv4, parseCidr } from '../../src/util/ip.js';

describe('ip helpers', () => {
  it('canonicalises IPv6 and keeps a zone id (found by the tcpdump property test)', () => {
    expect(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIp('fe80::%a')).toBe('fe80::%a');
    expect(canonicalIp('fe80:0::1%eth0')).toBe('fe80::1%eth0');
    expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1');
  });
  it('tests subnet membership for IPv4 and IPv6', () => {
    expect(inSubnet('10.1.2.3', '10.1.0.0', 16)).toBe(true);
    expect(inSubnet('10.2.2.3', '10.1.0.0', 16)).toBe(false);
    expect(inSubnet('2001:db8::5', '2001:db8::', 64)).toBe(true);
    expect(inSubnet('10.1.2.3', '2001:db8::', 64)).toBe(false);
  });
  it('converts and parses', () => {
    expect(intToIpv4(ipv4ToInt('192.168.1.254'))).toBe('192.168.1.254');
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8 });
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/prefix/);
  });
});

describe('addresses compared as addresses', () => {
  it('normalises v4-mapped IPv6 to IPv4 and IPv6 to its compressed form', async () => {
    const { normalizeIp, sameAddress } = await import('../../src/util/ip.js');
    expect(normalizeIp('::ffff:10.164.2.1')).toBe('10.164.2.1');
    expect(normalizeIp('::FFFF:aa4:201')).toBe('10.164.2.1');
    expect(normalizeIp('0:0:0:0:0:ffff:10.164.2.1')).toBe('10.164.2.1');
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('10.164.2.1')).toBe('10.164.2.1');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp('not-an-address')).toBe('not-an-address');
    expect(sameAddress('10.164.2.1', '::ffff:10.164.2.1')).toBe(true);
    expect(sameAddress('2001:db8::1', '2001:0db8:0000::0001')).toBe(true);
    expect(sameAddress('10.164.2.1', '10.164.2.10')).toBe(false);
    expect(sameAddress('::ffff:10.164.2.1', '::10.164.2.1')).toBe(false);
    expect(sameAddress(null, null)).toBe(false);
    expect(sameAddress(undefined, '10.0.0.1')).toBe(false);
  });
});
