// `npm run bench`: every benchmark, each in its own process (so one's memory does not colour
// another's), printing the markdown that goes into BENCHMARKS.md. The lab benchmarks need root.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.getuid?.() === 0;
const benches: { title: string; file: string; needsRoot: boolean }[] = [
  { title: 'Packet decoding: pcap', file: 'pcap.js', needsRoot: false },
  { title: 'Packet decoding: tcpdump text', file: 'text.js', needsRoot: false },
  { title: 'Lab', file: 'lab.js', needsRoot: true },
  { title: 'Probes', file: 'probes.js', needsRoot: true },
  { title: 'Time to a diagnosis', file: 'diagnose.js', needsRoot: true },
];

const only = process.argv.slice(2);
let failed = 0;
process.stdout.write(`# Benchmark run ${new Date().toISOString()} (node ${process.version})\n\n`);
for (const b of benches) {
  if (only.length > 0 && !only.some((o) => b.file.startsWith(o))) continue;
  process.stdout.write(`## ${b.title}\n\n`);
  if (b.needsRoot && !root) {
    process.stdout.write('(skipped: needs root for the network-namespace lab)\n\n');
    continue;
  }
  const r = spawnSync(process.execPath, [join(here, b.file)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) failed += 1;
  process.stdout.write('\n');
}
process.exitCode = failed > 0 ? 1 : 0;
