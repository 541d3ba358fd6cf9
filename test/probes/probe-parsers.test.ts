// A probe's outcome is typed by PROBE_PARSERS (Facts.parsed); the runner parses it with the
// parser id the built probe names. This holds the two together for every probe the engine
// plans, so a check reading `facts.parsed(host, 'ip-rule')` gets what ip-rule's parser returned.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openReplay } from '../../src/transport/replay.js';
import { PROBE_CATALOG, type ProbeName } from '../../src/engine/probe-catalog.js';
import { planPhase } from '../../src/engine/probe-plan.js';
import { PROBE_PARSERS } from '../../src/probes/probe-parsers.js';

const bundle = join(new URL('../../', import.meta.url).pathname, 'fixtures/bundles/healthy');

describe('PROBE_PARSERS', () => {
  it('names the parser every planned probe is read with, in every phase', async () => {
    const replay = await openReplay(bundle);
    // As a firewall-mark service: iptables-mangle-after is planned for one only.
    const topology = { ...replay.topology!, service: { ...replay.topology!.service, fwmark: 7 } };
    const every = new Set(Object.keys(PROBE_CATALOG) as ProbeName[]);
    const hosts = [topology.client, topology.director, ...topology.realservers];
    const needed = new Map(hosts.map((h) => [h.name, every]));
    const derived = { cip: topology.client.cip ?? '10.217.1.10', ext: 'rec-ext', int: 'rec-int', dip: '10.217.2.1' };
    const planned = new Set<string>();
    for (const phase of ['first', 'second', 'after'] as const) {
      const { jobs, invalid } = planPhase(topology, needed, phase, derived);
      expect(invalid).toEqual([]);
      for (const job of jobs) {
        expect({ name: job.name, parser: job.probe.parser }).toEqual({ name: job.name, parser: PROBE_PARSERS[job.name].id });
        planned.add(job.name);
      }
    }
    // Every name of the table is a probe the engine plans: no stale entry types a fact nobody records.
    expect([...planned].sort()).toEqual(Object.keys(PROBE_PARSERS).sort());
  });
});
