// End to end, whole processes: `lvs-doctor diagnose` (node start included) against the floor,
// bench/floor.sh (plain OpenSSH + tcpdump + curl running the doctor's own probe set: one ssh
// per host, hosts in parallel, one test connection), alternately, on the netns lab. Healthy and
// with faults; new connections (nothing open: the doctor without --keep-connections, the floor
// with an empty ControlMaster directory) and open ones (the doctor's masters left by a previous
// run with --keep-connections, the floor's masters open). Peak memory of the doctor's process:
// /usr/bin/time's maximum resident set. Both run inside the lab's ops namespace, as
// `lab diagnose` does. The probe set is the one the doctor sent on the healthy lab (--record).
//
// Run as root: `npm run bench:e2e -- [--reps N] [--realservers 3,100] [--faults a,b,c]`
// (defaults: 3 repetitions, 3 realservers, realserver.reply-route, realserver.no-listener,
// director.rp-filter). 100 realservers take a minute to bring up and ~10 s per cold run: ask for them.
// `--doctor PATH/bin/lvs-doctor.js` times another build (an older commit's, for a before/after on
// the same machine under the same load); the lab and the floor stay this checkout's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { injectFault, labDown, labUp, revertFault } from '../src/lab/index.js';
import type { LabInfo } from '../src/lab/state.js';
import type { BundleManifest } from '../src/transport/bundle.js';
import { shellJoin } from '../src/transport/quote.js';
import { median } from './diagnose.js';

const PREFIX = 'e2eb';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OWN_DOCTOR = join(ROOT, 'bin', 'lvs-doctor.js');
let DOCTOR = OWN_DOCTOR;
const FLOOR = join(ROOT, 'bench', 'floor.sh');
const DEFAULT_FAULTS = ['realserver.reply-route', 'realserver.no-listener', 'director.rp-filter'];
const CONNECT_TOOLS = new Set(['curl', 'bash', 'socat', 'nc']);

export interface E2eOptions {
  reps: number;
  realservers: number[];
  faults: string[];
}

interface Sample {
  ms: number;
  /** Peak resident set of the doctor's process, KiB (null for the floor). */
  maxRssKiB: number | null;
  answer: string;
}

export interface E2eRow {
  realservers: number;
  scenario: string;
  connections: 'new' | 'open';
  doctor: Sample[];
  floor: Sample[];
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs argv inside the ops namespace, timed from here (the whole process, node start included). */
function timedInOps(info: LabInfo, argv: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string; stderr: string; status: number | null } {
  const t = performance.now();
  const r = spawnSync('ip', ['netns', 'exec', info.opsNetns, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26, env });
  return { ms: performance.now() - t, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function doctorOnce(info: LabInfo, work: string, keep: boolean): Sample {
  const env = { ...process.env, LVS_DOCTOR_SOCKET_DIR: join(work, 'kept') };
  const r = timedInOps(info, ['/usr/bin/time', '-f', 'lvsd-maxrss %M', process.execPath, DOCTOR, 'diagnose', '--inventory', info.inventory, '--json', ...(keep ? ['--keep-connections', '300'] : [])], env);
  const rss = /lvsd-maxrss (\d+)/.exec(r.stderr);
  let answer = `exit ${r.status}`;
  try {
    const result = JSON.parse(r.stdout) as { verdict: string; diagnoses: { id: string }[] };
    answer = result.diagnoses[0]?.id ?? result.verdict;
  } catch {
    // Not JSON: the exit code says what happened.
  }
  return { ms: r.ms, maxRssKiB: rss ? Number(rss[1]) : null, answer };
}

function floorOnce(info: LabInfo, work: string, controlDir: string): Sample {
  const r = timedInOps(info, ['bash', FLOOR, info.sshConfig, join(work, 'floor'), controlDir]);
  if (r.status !== 0) throw new Error(`the floor script failed (exit ${r.status}): ${r.stderr}`);
  return { ms: r.ms, maxRssKiB: null, answer: '' };
}

/**
 * The floor's inputs from a recording of the doctor's own run: its probes per host, its captures,
 * one of its connections. Recorded by this checkout's doctor, whatever --doctor times: an older
 * build that cannot finish the recording (the 100-realserver cold run of the commit before the
 * handshake bound answered unknown) is still timed against the same floor.
 */
function writeFloorInputs(info: LabInfo, work: string): void {
  const bundle = join(work, 'bundle');
  const r = timedInOps(info, [process.execPath, OWN_DOCTOR, 'diagnose', '--inventory', info.inventory, '--json', '--record', bundle]);
  if (r.status === null || r.status > 2) throw new Error(`recording the doctor's run failed (exit ${r.status}): ${r.stderr}`);
  const { entries } = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as BundleManifest;
  const dir = join(work, 'floor');
  mkdirSync(join(dir, 'probes'), { recursive: true });
  const isCapture = (argv: string[]): boolean => argv[0] === 'tcpdump';
  const isConnect = (argv: string[]): boolean => CONNECT_TOOLS.has(argv[0]);
  const hosts = [...new Set(entries.map((e) => e.host))];
  writeFileSync(join(dir, 'hosts'), `${hosts.join('\n')}\n`);
  for (const h of hosts) {
    const lines = entries.filter((e) => e.host === h && !isCapture(e.argv) && !isConnect(e.argv)).map((e) => `${shellJoin(e.argv)} >/dev/null 2>&1`);
    writeFileSync(join(dir, 'probes', h), `${lines.join('\n')}\n`);
  }
  writeFileSync(join(dir, 'captures'), entries.filter((e) => isCapture(e.argv)).map((e) => `${e.host} ${shellJoin(e.argv)}\n`).join(''));
  const connect = entries.find((e) => isConnect(e.argv));
  if (!connect) throw new Error('the recorded run made no test connection');
  writeFileSync(join(dir, 'connect'), `${connect.host} ${shellJoin(connect.argv)}\n`);
  rmSync(bundle, { recursive: true, force: true });
}

/** Ends the masters a directory holds (the doctor's kept ones or the floor's), whatever their layout. */
function closeMasters(info: LabInfo, dir: string): void {
  const script = 'find "$1" -type s 2>/dev/null | while read -r s; do ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true';
  spawnSync('ip', ['netns', 'exec', info.opsNetns, 'bash', '-c', script, 'close', dir], { stdio: 'ignore' });
}

async function measureScenario(info: LabInfo, work: string, n: number, scenario: string, reps: number): Promise<E2eRow[]> {
  const rows: E2eRow[] = [
    { realservers: n, scenario, connections: 'new', doctor: [], floor: [] },
    { realservers: n, scenario, connections: 'open', doctor: [], floor: [] },
  ];
  const [fresh, open] = rows;
  const floorOpen = join(work, 'cm-open');
  mkdirSync(floorOpen, { recursive: true });
  // Open connections: one untimed run of each opens the masters the timed ones use.
  doctorOnce(info, work, true);
  floorOnce(info, work, floorOpen);
  for (let i = 0; i < reps; i++) {
    // ICMP errors are rate-limited per destination (about 1 s): space the runs.
    await pause(1100);
    const cmNew = mkdtempSync(join(work, 'cm-new-'));
    fresh.floor.push(floorOnce(info, work, cmNew));
    closeMasters(info, cmNew);
    rmSync(cmNew, { recursive: true, force: true });
    await pause(1100);
    fresh.doctor.push(doctorOnce(info, work, false));
    await pause(1100);
    open.floor.push(floorOnce(info, work, floorOpen));
    await pause(1100);
    open.doctor.push(doctorOnce(info, work, true));
  }
  closeMasters(info, floorOpen);
  closeMasters(info, join(work, 'kept'));
  return rows;
}

export async function benchE2e(opts: E2eOptions): Promise<E2eRow[]> {
  const rows: E2eRow[] = [];
  for (const n of opts.realservers) {
    await labDown(PREFIX).catch(() => undefined);
    const info = await labUp({ prefix: PREFIX, realservers: n });
    const work = mkdtempSync('/tmp/lvsd-e2e-');
    try {
      writeFloorInputs(info, work);
      rows.push(...(await measureScenario(info, work, n, 'healthy', opts.reps)));
      for (const fault of opts.faults) {
        await injectFault(PREFIX, fault);
        try {
          rows.push(...(await measureScenario(info, work, n, fault, opts.reps)));
        } finally {
          await revertFault(PREFIX, fault);
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
      await labDown(PREFIX);
    }
  }
  return rows;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mid = (s: Sample[]): number => median(s.map((x) => x.ms));
const peakMiB = (s: Sample[]): number => Math.max(...s.map((x) => x.maxRssKiB ?? 0)) / 1024;

/** The table and, under it, each of issue 12's goals with the measured value and whether it is met. */
export function formatE2e(rows: E2eRow[]): string {
  const table = [
    '| realservers | lab | connections | lvs-doctor | floor | ratio | doctor peak RSS | doctor answers | doctor samples (ms) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const answers = [...new Set(r.doctor.map((s) => s.answer))].join(', ');
      return `| ${r.realservers} | ${r.scenario} | ${r.connections} | ${secs(mid(r.doctor))} | ${secs(mid(r.floor))} | ${(mid(r.doctor) / mid(r.floor)).toFixed(2)} | ${peakMiB(r.doctor).toFixed(0)} MiB | ${answers} | ${r.doctor.map((s) => Math.round(s.ms)).join(', ')} |`;
    }),
  ];
  const goals: string[] = [];
  const goal = (what: string, value: string, met: boolean): void => void goals.push(`- ${what}: ${value} — **${met ? 'met' : 'not met'}**`);
  for (const n of [...new Set(rows.map((r) => r.realservers))]) {
    const of = (scenario: string, c: 'new' | 'open'): E2eRow | undefined => rows.find((r) => r.realservers === n && r.scenario === scenario && r.connections === c);
    const faults = rows.filter((r) => r.realservers === n && r.scenario !== 'healthy');
    const healthyOpen = of('healthy', 'open');
    const healthyNew = of('healthy', 'new');
    if (n <= 10) {
      if (healthyOpen) goal(`${n} RS, open connections, healthy <= 0.5 s`, secs(mid(healthyOpen.doctor)), mid(healthyOpen.doctor) <= 500);
      for (const f of faults.filter((r) => r.connections === 'open')) {
        if (healthyOpen) goal(`${n} RS, open connections, ${f.scenario} <= healthy + 0.5 s (${secs(mid(healthyOpen.doctor) + 500)})`, secs(mid(f.doctor)), mid(f.doctor) <= mid(healthyOpen.doctor) + 500);
      }
      if (healthyNew) goal(`${n} RS, new connections, healthy <= 1.2 x floor (${secs(1.2 * mid(healthyNew.floor))})`, secs(mid(healthyNew.doctor)), mid(healthyNew.doctor) <= 1.2 * mid(healthyNew.floor));
      for (const f of faults.filter((r) => r.connections === 'new')) {
        if (healthyNew) goal(`${n} RS, new connections, ${f.scenario} <= 1.4 x floor's healthy (${secs(1.4 * mid(healthyNew.floor))})`, secs(mid(f.doctor)), mid(f.doctor) <= 1.4 * mid(healthyNew.floor));
      }
    } else {
      for (const r of rows.filter((x) => x.realservers === n && x.connections === 'open')) goal(`${n} RS, open connections, ${r.scenario} <= 2 s`, secs(mid(r.doctor)), mid(r.doctor) <= 2000);
      for (const f of faults.filter((r) => r.connections === 'new')) goal(`${n} RS, new connections, ${f.scenario} <= 6 s`, secs(mid(f.doctor)), mid(f.doctor) <= 6000);
    }
  }
  const peak = Math.max(...rows.map((r) => peakMiB(r.doctor)));
  goal('peak memory of the doctor <= 100 MiB in every case', `${peak.toFixed(0)} MiB`, peak <= 100);
  return [...table, '', ...goals].join('\n');
}

/** The machine and its load, for the record beside the table. */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at ${new Date().toISOString()}`;
}

function parseArgs(argv: string[]): E2eOptions {
  const opts: E2eOptions = { reps: 3, realservers: [3], faults: DEFAULT_FAULTS };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1] ?? '';
    if (argv[i] === '--reps') opts.reps = Math.max(1, Number(v)), i++;
    else if (argv[i] === '--realservers') opts.realservers = v.split(',').map(Number).filter((n) => n > 0), i++;
    else if (argv[i] === '--faults') opts.faults = v.split(',').filter(Boolean), i++;
    else if (argv[i] === '--doctor') DOCTOR = v, i++;
    else throw new Error(`unknown option ${argv[i]} (--reps N, --realservers 3,100, --faults a,b, --doctor BIN)`);
  }
  return opts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const opts = parseArgs(process.argv.slice(2));
  const before = machineLine();
  const rows = await benchE2e(opts);
  process.stdout.write(`Doctor: ${DOCTOR}\nBefore: ${before}\nAfter:  ${machineLine()}\nRepetitions: ${opts.reps}; medians of whole-process wall time.\n\n${formatE2e(rows)}\n`);
}
