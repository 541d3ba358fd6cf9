// Where a diagnosis spends its time: one cold and one warm run inside the lab's ops namespace,
// each event printed with its time since the run started. For finding what to make faster;
// the numbers that count are the benchmark's. Run: node dist/bench/profile-run.js INVENTORY
import { readFileSync } from 'node:fs';
import { CHECKS } from '../checks/index.js';
import { parseInventory } from '../src/discover/inventory.js';
import { runDiagnosis } from '../src/engine/run.js';
import { allHosts } from '../src/model/topology.js';
import { SshTransport } from '../src/transport/ssh.js';

const inventory = process.argv[2];
const topology = parseInventory(readFileSync(inventory, 'utf8'), inventory).topology;
const transport = new SshTransport({ hosts: allHosts(topology) });
for (const label of ['cold', 'warm', 'warm2']) {
  await new Promise((r) => setTimeout(r, 1100));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const at = (): string => `${Math.round(performance.now() - t0)}`.padStart(5);
  for await (const e of runDiagnosis({ transport, topology, checks: CHECKS })) {
    if (e.type === 'phase') console.log(`${label} ${at()} phase ${e.phase}`);
    else if (e.type === 'probe-end' && process.env.VERBOSE) console.log(`${label} ${at()} end ${e.host} ${e.durationMs}ms ${e.command}`);
    else if (e.type === 'run-end') {
      const cpu = process.cpuUsage(cpu0);
      console.log(`${label} ${at()} end ${e.result.verdict} ${e.result.diagnoses[0]?.id ?? ''} (doctor CPU user ${Math.round(cpu.user / 1000)} ms, sys ${Math.round(cpu.system / 1000)} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)`);
    }
  }
}
await transport.close();
