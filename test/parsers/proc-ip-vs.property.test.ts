import { describe, it } from 'vitest';
import fc from 'fast-check';
import { parseProcIpVs } from '../../src/parsers/proc-ip-vs.js';
import { parseProcIpVsConn } from '../../src/parsers/proc-ip-vs-conn.js';
import { parseProcIpVsStats } from '../../src/parsers/proc-ip-vs-stats.js';
import { fixtureTexts, mangled, onlyParseError } from './ipvsadm.property-helpers.js';

const parsers: [string, (text: string) => unknown][] = [
  ['proc-ip-vs', parseProcIpVs],
  ['proc-ip-vs-conn', parseProcIpVsConn],
  ['proc-ip-vs-stats', parseProcIpVsStats],
];

describe('/proc/net/ip_vs* parsers on random and mangled input', () => {
  for (const [id, parse] of parsers) {
    it(`${id} returns a typed result or throws ParseError, never anything else`, () => {
      fc.assert(fc.property(mangled(fixtureTexts(id)), onlyParseError(parse)), { numRuns: 2000 });
    });
  }
});
