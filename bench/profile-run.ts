// Where a diagnosis spends its time: one cold and one warm run inside the lab's ops namespace,
// each event printed with its time since the run started. For finding what to make faster;
// the numbers that count are the benchmark's. Run: node dist/bench/profile-run.js INVENTORY
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../checks/index.js';
import { parseInventory } from '../src/discover/inventory.js';
import { runDiagnosis } from '../src/engine/run.js';
import { allHosts } from '../src/model/topology.js';
import { RecordingTransport } from '../src/transport/record.js';
import { SshTransport } from '../src/transport/ssh.js';
import type { Transport } from '../src/transport/transport.js';

const inventory = process.argv[2];
const topology = parseInventory(readFileSync(inventory, 'utf8'), inventory).topology;
const transport = new SshTransport({ hosts: allHosts(topology) });
// RECORD_DIR=D: each run is recorded, and the bundle of a run that is not ok is kept in D/LABEL-TIME.
const recordDir = process.env.RECORD_DIR;
const shared: Transport = { run: (h, a, o) => transport.run(h, a, o), runTogether: (h, a, o) => transport.runTogether(h, a, o), prepare: (h) => transport.prepare(h), close: async () => undefined };
for (const label of ['cold', 'warm', 'warm2']) {
  await new Promise((r) => setTimeout(r, 1100));
  const recorder = recordDir ? new RecordingTransport(shared, { dir: join(recordDir, `${label}-${Date.now()}`), topology }) : null;
  let verdict = 'ok';
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const at = (): string => `${Math.round(performance.now() - t0)}`.padStart(5);
  for await (const e of runDiagnosis({ transport: recorder ?? transport, topology, checks: CHECKS })) {
    if (e.type === 'phase') console.log(`${label} ${at()} phase ${e.phase}`);
    else if (e.type === 'probe-end' && process.env.VERBOSE) console.log(`${label} ${at()} end ${e.host} ${e.durationMs}ms ${e.command}`);
    else if (e.type === 'run-end') {
      const cpu = process.cpuUsage(cpu0);
      verdict = e.result.verdict;
      console.log(`${label} ${at()} end ${e.result.verdict} ${e.result.diagnoses[0]?.id ?? ''} (doctor CPU user ${Math.round(cpu.user / 1000)} ms, sys ${Math.round(cpu.system / 1000)} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)`);
      for (const h of e.result.hops) for (const o of h.observations) if (o.reason?.includes('not written')) console.log(`${label}   hop ${h.index} at ${o.host} ${o.iface}: ${o.reason}`);
      // A run that is not ok on a healthy lab is worth its reasons: which checks did not pass.
      if (e.result.verdict !== 'ok') {
        console.log(`${label}   ${e.result.summary}`);
        for (const c of e.result.checks) if (c.verdict !== 'pass' && c.verdict !== 'skip') console.log(`${label}   ${c.id} ${c.verdict}: ${c.summary}`);
        for (const f of e.result.probeFailures ?? []) console.log(`${label}   probe ${f.host} ${f.failure}: ${f.command}: ${f.message}`);
        for (const u of e.result.unproven) console.log(`${label}   unproven: ${u}`);
        for (const h of e.result.hops) console.log(`${label}   hop ${JSON.stringify(h)}`);
      }
    }
  }
  if (recorder && verdict !== 'ok') await recorder.close();
}
await transport.close();
