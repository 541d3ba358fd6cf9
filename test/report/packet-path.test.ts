import { describe, expect, it } from 'vitest';
import type { Hop } from '../../src/model/hops.js';
import { packetPathRows, whereLines } from '../../src/report/packet-path.js';
import { hopsHealthy } from './samples.js';

const hosts = [
  { name: 'client', role: 'client' },
  { name: 'director', role: 'director' },
  { name: 'rs1', role: 'realserver' },
];

/** The shape the engine gives a reply that skipped the director (realserver.reply-route on the lab). */
function replySkippedDirector(): Hop[] {
  const hops = hopsHealthy();
  hops[2] = {
    ...hops[2],
    status: 'seen',
    observations: [
      { host: 'director', iface: 'eth1', status: 'missing' },
      { host: 'rs1', iface: 'any', status: 'seen', packet: 'out 10.1.1.11:8080 > 10.0.0.2:41234 TCP [S.]' },
    ],
  };
  hops[3] = {
    ...hops[3],
    status: 'missing',
    observations: [
      { host: 'director', iface: 'eth0', status: 'missing' },
      { host: 'client', iface: 'any', status: 'missing', instead: ['client any: in 10.1.1.11:8080 > 10.0.0.2:41234 TCP [S.]'] },
    ],
  };
  return hops;
}

describe('packetPathRows', () => {
  it('healthy: four hops seen', () => {
    expect(packetPathRows(hopsHealthy(), hosts).map((r) => r.state)).toEqual(['seen', 'seen', 'seen', 'seen']);
  });

  it('a hop seen leaving the realserver but missed at the director is the broken one, and gets what came instead', () => {
    const rows = packetPathRows(replySkippedDirector(), hosts);
    expect(rows.map((r) => r.state)).toEqual(['seen', 'seen', 'broken', 'not-reached']);
    expect(whereLines(rows[2])).toEqual(['seen on rs1 any: out 10.1.1.11:8080 > 10.0.0.2:41234 TCP [S.]', 'NOT seen on director eth1']);
    // The engine already named the place: it is not said twice; and it moved to the broken hop.
    expect(rows[2].instead).toEqual(['client any: in 10.1.1.11:8080 > 10.0.0.2:41234 TCP [S.]']);
    expect(rows[3].instead).toEqual([]);
    expect(rows[2].leg).toBe('rs1 -> director int');
  });

  it('before a realserver is known the legs say "realserver", not a placeholder', () => {
    const hops = hopsHealthy().map((h) => ({ ...h, observations: h.observations.filter((o) => o.host !== 'rs1') }));
    hops[1] = { ...hops[1], status: 'missing', expected: { ...hops[1].expected, dst: { address: 'RIP', port: null } }, observations: [{ host: 'director', iface: 'eth1', status: 'missing' }] };
    const rows = packetPathRows(hops, hosts);
    expect(rows[1]).toMatchObject({ leg: 'director int -> realserver', state: 'broken', instead: [] });
    expect(whereLines(rows[1])).toEqual(['NOT seen on director eth1']);
  });
});
