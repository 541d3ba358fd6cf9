// Random, truncated and mangled input into the routing, address and probe-output parsers never
// throws anything but ParseError, and finishes (vitest's timeout catches a hang; the long-line
// cases would expose a regular expression that backtracks catastrophically).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import type { TextParser } from '../../src/model/parser.js';
import { conntrackParser } from '../../src/parsers/conntrack.js';
import { ipAddrParser } from '../../src/parsers/ip-addr.js';
import { ipLinkParser } from '../../src/parsers/ip-link.js';
import { ipRouteGetParser } from '../../src/parsers/ip-route-get.js';
import { ipRouteParser } from '../../src/parsers/ip-route.js';
import { ipRuleParser } from '../../src/parsers/ip-rule.js';
import { netstatRnParser } from '../../src/parsers/netstat-rn.js';
import { nstatParser } from '../../src/parsers/nstat.js';
import { pingParser } from '../../src/parsers/ping.js';
import { routeNParser } from '../../src/parsers/route-n.js';
import { ssParser } from '../../src/parsers/ss.js';
import { sysctlParser } from '../../src/parsers/sysctl.js';
import { tracerouteParser } from '../../src/parsers/traceroute.js';
import { fixtureTexts, mangled, onlyParseError } from './ipvsadm.property-helpers.js';

const parsers: TextParser[] = [
  conntrackParser, ipAddrParser, ipLinkParser, ipRouteGetParser, ipRouteParser, ipRuleParser, netstatRnParser,
  nstatParser, pingParser, routeNParser, ssParser, sysctlParser, tracerouteParser,
];

// Tokens these formats are made of, so mutations land on the parsers' decision points.
const vocabulary = fc.constantFrom(
  'via ', 'dev ', 'src ', 'from ', 'table ', 'cache ', '<redirected>', 'expires 5sec', 'RTNETLINK answers: ', 'lookup ', 'not ', '32766:\t',
  'inet ', 'inet6 ', '\\    ', 'valid_lft forever', '<UP>', '@if', ' ms', ' * ', '!H', '!X', 'icmp_seq=', 'From ', '--- x ping statistics ---',
  '%eth0', '[::]:', '*:*', 'users:((', 'src=', 'dst=', '[ASSURED]', 'use=', ' = ', '/proc/sys/', '#kernel', '0.0.0.0', 'fd00::1', '/24', '-',
);

const withVocabulary = (texts: string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...texts), fc.array(fc.tuple(fc.nat(), vocabulary), { minLength: 1, maxLength: 8 })).map(([t, edits]) =>
    edits.reduce((s, [at, tok]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + tok + s.slice(i);
    }, t),
  );

// One very long line built from a format's own tokens.
const longLine = fc.tuple(vocabulary, fc.integer({ min: 1000, max: 20000 }), fc.constantFrom('', ' ', '1', 'a', ':')).map(
  ([tok, n, tail]) => tok.repeat(Math.ceil(n / Math.max(tok.length, 1))) + tail,
);

describe('routing and probe-output parsers on random and mangled input', () => {
  for (const parser of parsers) {
    const texts = fixtureTexts(parser.id);
    it(`${parser.id}: mangled real outputs give a result or a ParseError`, () => {
      fc.assert(fc.property(fc.oneof(mangled(texts), withVocabulary(texts)), onlyParseError(parser.parse)), { numRuns: 1500 });
    });
    it(`${parser.id}: very long lines finish with a result or a ParseError`, () => {
      fc.assert(fc.property(longLine, onlyParseError(parser.parse)), { numRuns: 60 });
    });
  }
});
