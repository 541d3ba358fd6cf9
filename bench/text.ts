// Benchmark (not a test): tcpdump text parse throughput. The input is the real text fixtures
// (fixtures/parsers/tcpdump/netns--*.out, tcpdump 4.99 on this machine) concatenated until it
// holds the requested number of lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTcpdumpText } from '../src/parsers/tcpdump-text.js';
import { repoRoot } from './pcap.js';

export async function runTextBench(options: { lines?: number; repeats?: number } = {}): Promise<string> {
  const wanted = options.lines ?? 500_000;
  const repeats = options.repeats ?? 3;
  const dir = join(repoRoot(), 'fixtures/parsers/tcpdump');
  const real = readdirSync(dir)
    .filter((f) => /^netns--(any|lan)[a-z-]*\.out$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
  const lines: string[] = [];
  while (lines.length < wanted) lines.push(...real.slice(0, wanted - lines.length));
  const text = `${lines.join('\n')}\n`;
  let best = Infinity;
  let packets = 0;
  for (let i = 0; i < repeats; i++) {
    const start = process.cpuUsage();
    const result = parseTcpdumpText(text);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
    packets = result.packets.length;
    if (result.unparsed.length > 0) throw new Error(`unparsed lines in real fixtures: ${result.unparsed.length}`);
  }
  return [
    `Input: ${wanted.toLocaleString('en')} lines (${(text.length / 1e6).toFixed(0)} MB) of real tcpdump 4.99 output ` +
      '(fixtures/parsers/tcpdump/netns--*.out: default, -e, -i any, -i any -e, -tttt, -tt, -r), repeated.',
    '',
    '| parser | CPU time (best of ' + repeats + ') | lines per CPU second |',
    '|---|---|---|',
    `| \`tcpdump\` text parser (${packets.toLocaleString('en')} packets) | ${best.toFixed(0)} ms | ${((wanted / best) * 1000 / 1e6).toFixed(2)} M/s |`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await runTextBench({ lines: process.argv[2] ? Number(process.argv[2]) : undefined }));
}
