// Benchmark (not a test): pcap decode throughput against tcpdump's own text rendering of the
// same file, and the decoder's peak memory on a small and a large capture (it must not grow).
//
// The large capture is synthesized from REAL records: every record of the fixture captures
// (fixtures/parsers/pcap/netns--*.pcap, taken on this machine by fixtures/pcap/capture.sh) is
// replayed in turn, each copy's timestamp moved forward, until the file holds N records.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePcapBatches, decodePcapStream } from '../src/pcap/index.js';

const here = fileURLToPath(import.meta.url);

/** The checkout this file belongs to, whether run from bench/ or compiled to dist/bench/. */
export function repoRoot(): string {
  let dir = dirname(here);
  while (!existsSync(join(dir, 'fixtures', 'parsers')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

interface RealRecord {
  header: Buffer;
  body: Buffer;
}

/** The records of a little-endian microsecond capture, as bytes (the fixtures are all such). */
function realRecords(file: string): { globalHeader: Buffer; records: RealRecord[] } {
  const data = readFileSync(file);
  if (data.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: expected a little-endian microsecond pcap`);
  const records: RealRecord[] = [];
  for (let at = 24; at + 16 <= data.length; ) {
    const caplen = data.readUInt32LE(at + 8);
    records.push({ header: Buffer.from(data.subarray(at, at + 16)), body: data.subarray(at + 16, at + 16 + caplen) });
    at += 16 + caplen;
  }
  return { globalHeader: data.subarray(0, 24), records };
}

/** Writes `count` records replayed from a real capture, timestamps advancing 1 ms per copy. */
export async function synthesizeCapture(source: string, target: string, count: number): Promise<void> {
  const { globalHeader, records } = realRecords(source);
  const out = createWriteStream(target, { highWaterMark: 1 << 20 });
  out.write(globalHeader);
  const base = records[0].header.readUInt32LE(0);
  let written = 0;
  for (let round = 0; written < count; round++) {
    const batch: Buffer[] = [];
    for (const r of records) {
      if (written++ >= count) break;
      const header = Buffer.from(r.header);
      const micros = header.readUInt32LE(4) + round * 1000;
      header.writeUInt32LE(base + (header.readUInt32LE(0) - base) + Math.floor(micros / 1e6), 0);
      header.writeUInt32LE(micros % 1e6, 4);
      batch.push(header, r.body);
    }
    if (!out.write(Buffer.concat(batch))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

type Api = 'batches' | 'packets';

/** Decodes `file` in this process; the CPU time counts the whole process, startup included. */
async function decodeHere(file: string, api: Api): Promise<DecodeRun> {
  const start = process.hrtime.bigint();
  let packets = 0;
  let tcp = 0;
  const input = createReadStream(file, { highWaterMark: 1 << 16 });
  if (api === 'batches') {
    for await (const batch of decodePcapBatches(input)) {
      for (const p of batch) if (p.tcp) tcp++;
      packets += batch.length;
    }
  } else {
    for await (const p of decodePcapStream(input)) {
      packets++;
      if (p.tcp) tcp++;
    }
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (tcp === 0) throw new Error('no TCP packet decoded');
  const cpu = process.cpuUsage();
  return { packets, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS };
}

interface DecodeRun {
  packets: number;
  ms: number;
  cpuMs: number;
  maxRssKb: number;
}

/** Decodes in a fresh process so that its peak RSS and CPU time are the decoder's alone. */
async function decodeInChild(file: string, api: Api): Promise<DecodeRun> {
  const child = spawn(process.execPath, [here, '--decode', api, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`decode child exited ${code}`);
  return JSON.parse(out) as DecodeRun;
}

/** tcpdump's wall and CPU time (user + system, from the shell's `times`). */
function runTcpdump(file: string): { ms: number; cpuMs: number } {
  const start = process.hrtime.bigint();
  const run = spawnSync('sh', ['-c', `tcpdump -nr '${file}' > /dev/null 2>&1 || exit 1; times`]);
  if (run.status !== 0) throw new Error(`tcpdump -nr failed (${run.status})`);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const children = run.stdout.toString().trim().split('\n').pop() ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { ms, cpuMs: (seconds[0] + seconds[1]) * 1000 };
}

function fastest<T extends { cpuMs: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
}

const mpps = (n: number, ms: number): string => `${(n / ms / 1000).toFixed(2)} M/s`;
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

interface CaseResult {
  row: string[];
  ratio: number;
  rssKb: number;
}

async function benchCase(label: string, file: string, records: number, repeats: number): Promise<CaseResult[]> {
  const batches: DecodeRun[] = [];
  const packets: DecodeRun[] = [];
  const tcpdump: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < repeats; i++) {
    batches.push(await decodeInChild(file, 'batches'));
    packets.push(await decodeInChild(file, 'packets'));
    tcpdump.push(runTcpdump(file));
  }
  const t = fastest(tcpdump);
  const rows: CaseResult[] = [];
  for (const [api, runs] of [['`decodePcapBatches`', batches], ['`decodePcapStream` (an await per packet)', packets]] as const) {
    const r = fastest(runs);
    rows.push({
      ratio: t.cpuMs / r.cpuMs,
      rssKb: r.maxRssKb,
      row: [label, `lvs-doctor ${api}`, `${r.cpuMs.toFixed(0)} ms`, mpps(records, r.cpuMs), `${r.ms.toFixed(0)} ms`, mib(r.maxRssKb), `${(t.cpuMs / r.cpuMs).toFixed(2)}x`],
    });
  }
  rows.push({ ratio: 1, rssKb: 0, row: [label, '`tcpdump -nr FILE > /dev/null`', `${t.cpuMs.toFixed(0)} ms`, mpps(records, t.cpuMs), `${t.ms.toFixed(0)} ms`, '—', '1.00x'] });
  return rows;
}

export async function runPcapBench(options: { records?: number; small?: number; repeats?: number } = {}): Promise<string> {
  const records = options.records ?? 1_000_000;
  const small = options.small ?? Math.round(records / 10);
  const repeats = options.repeats ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'lvs-doctor-bench-'));
  try {
    const lines: string[][] = [];
    const ratios: number[] = [];
    const bigRss: number[] = [];
    const sizes: string[] = [];
    for (const [label, fixture] of [
      ['SLL2 (`-i any`)', 'netns--any-sll2.pcap'],
      ['Ethernet', 'netns--lan.pcap'],
    ] as const) {
      const big = join(dir, fixture);
      await synthesizeCapture(join(repoRoot(), 'fixtures/parsers/pcap', fixture), big, records);
      sizes.push(`${label} ${(statSync(big).size / 1e6).toFixed(0)} MB`);
      for (const r of await benchCase(label, big, records, repeats)) {
        lines.push(r.row);
        if (r.row[1].includes('Batches')) ratios.push(r.ratio);
        if (r.rssKb > 0) bigRss.push(r.rssKb);
      }
      rmSync(big);
    }
    const little = join(dir, 'small.pcap');
    await synthesizeCapture(join(repoRoot(), 'fixtures/parsers/pcap/netns--any-sll2.pcap'), little, small);
    const smallRun = await decodeInChild(little, 'batches');
    const cpu = cpus();
    const tcpdumpVersion = spawnSync('tcpdump', ['--version']).stdout.toString().split('\n')[0];
    return [
      `Captures: ${records.toLocaleString('en')} records each (${sizes.join(', ')}), replayed from the real captures ` +
        '`fixtures/parsers/pcap/netns--any-sll2.pcap` and `netns--lan.pcap` (TCP handshakes and data, RST, ICMP port/host/net ' +
        'unreachable, admin prohibited, redirect, time exceeded, IPv6, ARP), timestamps moved forward per copy.',
      `Machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}, ${tcpdumpVersion}; ${new Date().toISOString().slice(0, 10)}.`,
      `Best of ${repeats} by CPU time (user + system of the whole process, Node startup included): the machine is shared, ` +
        'so wall time is shown but not compared.',
      '',
      '| capture | reader | CPU time | packets per CPU second | wall | peak RSS | vs tcpdump |',
      '|---|---|---|---|---|---|---|',
      ...lines.map((r) => `| ${r.join(' | ')} |`),
      `| SLL2, ${small.toLocaleString('en')} records | lvs-doctor \`decodePcapBatches\` (memory check) | ${smallRun.cpuMs.toFixed(0)} ms | ${mpps(small, smallRun.cpuMs)} | ${smallRun.ms.toFixed(0)} ms | ${mib(smallRun.maxRssKb)} | |`,
      '',
      `Batch decode is **${Math.min(...ratios).toFixed(2)}x** or more tcpdump's own text rendering (target: at least 1.5x). ` +
        `Memory is bounded, not proportional to the capture: peak RSS ${mib(smallRun.maxRssKb)} for ${small.toLocaleString('en')} records, ` +
        `${mib(Math.max(...bigRss))} at most for ${records.toLocaleString('en')} (the difference is V8 heap sizing, not packets kept).`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === here) {
  if (process.argv[2] === '--decode') {
    process.stdout.write(JSON.stringify(await decodeHere(process.argv[4], process.argv[3] as Api)));
  } else {
    const records = process.argv[2] ? Number(process.argv[2]) : undefined;
    console.log(await runPcapBench({ records }));
  }
}
