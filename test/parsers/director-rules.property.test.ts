// Random, truncated and mangled input into the director-rule and configuration parsers
// (iptables-save, nft, keepalived, ldirectord, lvs-conf) never throws anything but ParseError
// and finishes (vitest's timeout catches a hang).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import type { TextParser } from '../../src/model/parser.js';
import { iptablesSaveParser } from '../../src/parsers/iptables-save.js';
import { keepalivedParser } from '../../src/parsers/keepalived.js';
import { ldirectordParser } from '../../src/parsers/ldirectord.js';
import { lvsConfParser } from '../../src/parsers/lvs-conf.js';
import { nftParser } from '../../src/parsers/nft.js';
import { fixtureTexts, mangled, onlyParseError } from './ipvsadm.property-helpers.js';

const parsers: TextParser[] = [iptablesSaveParser, nftParser, keepalivedParser, ldirectordParser, lvsConfParser];

// The tokens these formats are built from, so that mutations land on decision points.
const vocabulary = fc.constantFrom(
  '"', '\\"', '{', '}', '{ ', ' }', ';', '!', ' ! ', '[', ']', '[1:2] ', ':', ' . ', ' : ', ',', '#', '# handle 3', '\t', '=', '->',
  '*nat\n', 'COMMIT\n', ':X - [0:0]\n', '-A ', '-j DNAT --to-destination ', '-m statistic --mode nth --every ', '-m comment --comment "',
  'table ip t {\n', 'chain c {\n', 'set s {\n', 'map m {\n', 'elements = { ', 'type nat hook prerouting priority dstnat; policy accept;',
  'dnat ip to numgen inc mod 3 map { 0 : ', 'counter packets 1 bytes', 'reject with icmp type ', 'jump ', 'meta mark set ',
  'virtual_server ', 'real_server ', 'fwmark ', 'group ', 'lb_kind ', 'weight ', 'include ', 'virtual=', 'real=', '\treal=', 'masq',
  'SERVICE=', 't telnet rr ', 'VIP=', ',2', '10.1.1.11', '2001:db8::1', '[::1]:80', '65536', '-1',
);

const withVocabulary = (texts: string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...texts), fc.array(fc.tuple(fc.nat(), vocabulary), { minLength: 1, maxLength: 8 })).map(([t, edits]) =>
    edits.reduce((s, [at, tok]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + tok + s.slice(i);
    }, t),
  );

describe('director rules and configuration parsers under random, truncated and mangled input', () => {
  for (const parser of parsers) {
    const texts = fixtureTexts(parser.id);
    it(`${parser.id}: only ParseError escapes (mangled real fixtures)`, () => {
      fc.assert(fc.property(mangled(texts), onlyParseError((t) => parser.parse(t))), { numRuns: 400 });
    });
    it(`${parser.id}: only ParseError escapes (format tokens inserted)`, () => {
      fc.assert(fc.property(withVocabulary(texts), onlyParseError((t) => parser.parse(t))), { numRuns: 400 });
    });
    it(`${parser.id}: finishes on long pathological lines`, () => {
      const long = fc.constantFrom('{', '"', '[', ' ', ':', '-A X ', '! ', '{ 1 : ', '\t').chain((piece) =>
        fc.integer({ min: 1000, max: 20000 }).map((n) => piece.repeat(n)));
      fc.assert(fc.property(long, onlyParseError((t) => parser.parse(t))), { numRuns: 20 });
    });
  }
});
