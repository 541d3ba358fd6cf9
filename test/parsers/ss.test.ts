import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ssParser } from '../../src/parsers/ss.js';
import { ParseError } from '../../src/model/parse-error.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/parsers/ss', name), 'utf8');
const parse = (text: string) => ssParser.parse(text);

describe('ss', () => {
  it('reads listeners with %iface, *, and [::] forms', () => {
    const { sockets, hasHeader } = parse(fixture('fx3lab--v6-listen.out'));
    expect(hasHeader).toBe(true);
    expect(sockets.map((s) => [s.local.address, s.local.iface, s.local.port])).toEqual([
      ['10.91.2.11', 'eth0', 9000], ['0.0.0.0', null, 8080], ['::', null, 81], ['*', null, 80], ['fe80::5011:65ff:fe6d:52dc', 'eth0', 82],
    ]);
    expect(sockets[0]).toMatchObject({ state: 'LISTEN', recvQ: 0, sendQ: 5, peer: { address: '0.0.0.0', port: null } });
  });

  it('reads the -H form without header to the same sockets as with it', () => {
    const strip = (r: ReturnType<typeof parse>) => r.sockets.map(({ line: _line, ...s }) => s);
    expect(strip(parse(fixture('fx3lab--listen-noheader.out')))).toEqual(strip(parse(fixture('fx3lab--listen.out'))));
    expect(parse(fixture('fx3lab--listen-noheader.out')).hasHeader).toBe(false);
  });

  it('reads established and half-open connections and -p processes', () => {
    const client = parse(fixture('fx3lab--client.out')).sockets;
    expect(client[2]).toMatchObject({ state: 'SYN-SENT', sendQ: 1, peer: { address: '10.91.1.100', port: 81 } });
    const est = parse(fixture('fx3lab--established-processes.out')).sockets[0];
    expect(est.processes).toEqual([{ name: 'socat', pid: 17057, fd: 6 }]);
    expect(parse(fixture('fx3lab--client-udp-empty.out')).sockets).toEqual([]);
  });

  it('refuses an unknown state and a malformed address, naming the line', () => {
    const lines = fixture('fx3lab--listen.out').split('\n');
    expect(() => parse([lines[0], lines[1].replace('LISTEN', 'LISTNE')].join('\n'))).toThrow(/line 2/);
    expect(() => parse([lines[0], lines[1], lines[2].replace('0.0.0.0:8080', '0.0.0.0-8080')].join('\n'))).toThrow(ParseError);
  });
});
