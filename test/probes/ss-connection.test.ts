// The `ss` question asked of a realserver during the test connection (src/probes/ss.ts), read
// from real outputs (fixtures/parsers/ss/loopns--connection-*, SOURCES.md there).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { holdsConnection, ssConnection } from '../../src/probes/ss.js';
import { parseSs, type SsResult } from '../../src/parsers/ss.js';
import { ParseError } from '../../src/model/parse-error.js';
import { ProbeValidationError } from '../../src/probes/validate.js';

const fixture = (name: string): SsResult => parseSs(readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ss', `loopns--connection-${name}.out`), 'utf8'));
const tuple = (localPort: number, peerPort: number) => ({ local: { address: '127.0.0.1', port: localPort }, peer: { address: '127.0.0.1', port: peerPort } });

describe('ssConnection', () => {
  it('asks for the one connection, by both ends', () => {
    expect(ssConnection(tuple(8080, 52180)).argv).toEqual(['ss', '-tan', 'src', '127.0.0.1:8080', 'dst', '127.0.0.1:52180']);
    expect(ssConnection({ local: { address: '2001:db8::11', port: 80 }, peer: { address: '2001:db8::10', port: 4242 } }).argv.slice(2)).toEqual(['src', '[2001:db8::11]:80', 'dst', '[2001:db8::10]:4242']);
  });

  it('refuses what is not an address or a port', () => {
    expect(() => ssConnection({ local: { address: '10.0.0.1; reboot', port: 80 }, peer: { address: '10.0.0.2', port: 1 } })).toThrow(ProbeValidationError);
    expect(() => ssConnection({ local: { address: '10.0.0.1', port: 80 }, peer: { address: '10.0.0.2', port: 70000 } })).toThrow(ProbeValidationError);
  });
});

describe('holdsConnection', () => {
  it('a SYN-RECV (the answer eaten by its own firewall) and an established connection may still send', () => {
    expect(holdsConnection(fixture('syn-recv'), tuple(8080, 52180))).toBe(true);
    expect(holdsConnection(fixture('estab'), tuple(8081, 40405))).toBe(true);
  });

  it('a dual-stack listener\'s connection, printed with IPv4-mapped addresses, is the IPv4 tuple\'s', () => {
    expect(holdsConnection(fixture('syn-recv-mapped'), tuple(8080, 37650))).toBe(true);
  });

  it('nothing, or only a TIME-WAIT, sends nothing by itself', () => {
    expect(holdsConnection(fixture('none'), tuple(8080, 1))).toBe(false);
    expect(holdsConnection(fixture('time-wait'), tuple(8080, 40404))).toBe(false);
  });

  it('a socket outside the filter it was given, or output that is not ss, is an error, not an answer', () => {
    expect(() => holdsConnection(fixture('syn-recv'), tuple(8080, 52181))).toThrow(ParseError);
    // What is not ss's output never reads as "no socket": the parser refuses it first.
    expect(() => parseSs('ss: command not found\n')).toThrow(ParseError);
  });
});
