// The project's isIPv4/isIPv6 replace node:net's (whose IPv6 expression costs 30-60 ms to
// compile on first use): they must accept exactly what node:net accepts, since every address
// that goes into a remote command is validated by them.
import fc from 'fast-check';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isIP, isIPv4, isIPv6 } from '../../src/util/ip.js';

const agree = (s: string): void => {
  expect([s, isIPv4(s)]).toEqual([s, net.isIPv4(s)]);
  expect([s, isIPv6(s)]).toEqual([s, net.isIPv6(s)]);
  expect([s, isIP(s)]).toEqual([s, net.isIP(s) !== 0]);
};

const hex = fc.stringMatching(/^[0-9a-fA-F]{1,5}$/);
const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^0[0-9]{1,2}$/), fc.constant(''));
const quad = fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join('.'));
const group = fc.oneof({ weight: 6, arbitrary: hex }, { weight: 1, arbitrary: quad }, { weight: 1, arbitrary: fc.constant('') });
/** Address-like strings: groups joined by ':' (so '::' and ':::' appear), a zone now and then. */
const addressLike = fc
  .tuple(
    fc.array(group, { minLength: 0, maxLength: 10 }),
    fc.option(fc.stringMatching(/^[0-9a-zA-Z\-.:_/%, ]{0,6}$/), { nil: undefined }),
  )
  .map(([groups, zone]) => groups.join(':') + (zone === undefined ? '' : `%${zone}`));
/** Short strings over the characters an address is made of, and a few it is not. */
const noise = fc.stringMatching(/^[0-9a-fA-FgG:.%\-xZ ]{0,14}$/);

describe('isIPv4 / isIPv6 against node:net', () => {
  it('agree on the forms RFC 4291 and node:net spell out', () => {
    for (const s of [
      '', '::', ':::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9',
      '1::2::3', '::ffff:10.0.0.1', '::10.0.0.1', '1:2:3:4:5:6:10.0.0.1', '1:2:3:4:5::10.0.0.1', '1:2:3:4:5:6::10.0.0.1',
      '1:2:3:4::5:10.0.0.1', '10.0.0.1::', '1.2.3.4:1::', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%a%b', 'fe80::1%eth0.100',
      'fe80::1%a:b', 'fe80::1%a_b', 'fe80::1%a-b', '%eth0', 'fe80::1%1::2', '12345::', 'g::', 'FFFF::', ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:', '0.0.0.0', '255.255.255.255', '256.0.0.1', '01.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ',
      ' 1.2.3.4', '1.2.3.4\n', '::1\n', '1.2.3.-4', '1.2.3.+4', '0x1.2.3.4', '::1.2.3.04', '::1.2.3.256',
    ]) agree(s);
  });
  it('agree on generated address-like strings', () => {
    fc.assert(fc.property(addressLike, (s) => agree(s)), { numRuns: 20_000 });
  });
  it('agree on short strings of address characters', () => {
    fc.assert(fc.property(noise, (s) => agree(s)), { numRuns: 20_000 });
  });
  it('agree on every valid address node:net prints', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), (a, b, c) => {
        agree(a);
        agree(b);
        agree(c);
      }),
      { numRuns: 5_000 },
    );
  });
});
