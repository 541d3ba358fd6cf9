// Time to a diagnosis on the lab: healthy and with a fault, cold ssh (the handshakes inside
// the timing) and warm (ControlMasters open), for 3 and 100 realservers. Beside each, the floor
// measured in the same run: a plain OpenSSH shell script that runs the same commands (taken
// from a recording of the doctor's own run) in parallel over its own masters, with the same
// captures armed around the same connections. Like `lab diagnose`, both run inside the lab's
// ops namespace with plain `ssh -F`, so neither pays `ip netns exec` per command. A third row
// times a new transport that finds the masters a previous run left (--keep-connections), beside
// the warm floor.
// Run as root: `npm run build && node dist/bench/diagnose.js [N...]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHECKS } from '../checks/index.js';
import { parseInventory } from '../src/discover/inventory.js';
import { runDiagnosis } from '../src/engine/run.js';
import { injectFault, labDown, labUp, revertFault } from '../src/lab/index.js';
import type { ResultDocument } from '../src/model/result.js';
import { allHosts, type Topology } from '../src/model/topology.js';
import { shellJoin, shellQuote } from '../src/transport/quote.js';
import { RecordingTransport } from '../src/transport/record.js';
import { master, NON_INTERACTIVE, optionArgs } from '../src/transport/ssh-options.js';
import { SshTransport } from '../src/transport/ssh.js';
import { sharedControlPath } from '../src/transport/ssh-reuse.js';
import type { Transport } from '../src/transport/transport.js';

const PREFIX = 'dxbench';
const FAULT = 'realserver.reply-route';

interface Samples {
  coldDoctor: number[];
  coldFloor: number[];
  warmDoctor: number[];
  warmFloor: number[];
  /** A new transport (a new process) that finds the masters a previous run left (--keep-connections). */
  keptDoctor: number[];
  firstDiagnosis: string[];
}

async function diagnoseOnce(transport: Transport, topology: Topology): Promise<{ ms: number; result: ResultDocument }> {
  const t = performance.now();
  let result: ResultDocument | null = null;
  for await (const e of runDiagnosis({ transport, topology, checks: CHECKS })) if (e.type === 'run-end') result = e.result;
  return { ms: performance.now() - t, result: result! };
}

/** The floor: every recorded command in the background over open masters, then the captures
 * armed, the connections, a short settle, the captures stopped. */
function floorScripts(sshConfig: string, cpDir: string, commands: { host: string; argv: string[] }[], hosts: string[]): { open: string; run: string; close: string } {
  const ssh = `ssh -F ${shellQuote(sshConfig)} -o ControlPath=${shellQuote(cpDir)}/%h ${shellJoin(optionArgs(NON_INTERACTIVE))}`;
  const open = [...hosts.map((h) => `${ssh} ${shellJoin(optionArgs(master(300)))} -N -f ${shellQuote(h)} &`), 'wait'].join('\n');
  const close = hosts.map((h) => `${ssh} -O exit ${shellQuote(h)} 2>/dev/null`).join('\n');
  const isCapture = (c: { argv: string[] }): boolean => c.argv.includes('tcpdump');
  const isConnect = (c: { argv: string[] }): boolean => c.argv.includes('curl');
  const plain = commands.filter((c) => !isCapture(c) && !isConnect(c));
  const run = [
    ...plain.map((c) => `${ssh} -T ${shellQuote(c.host)} ${shellQuote(shellJoin(c.argv))} >/dev/null 2>&1 &`),
    'wait',
    'P=""',
    ...commands.filter(isCapture).map((c) => `${ssh} -T ${shellQuote(c.host)} ${shellQuote(`timeout 20 ${shellJoin(c.argv.slice(c.argv.indexOf('tcpdump')))}`)} >/dev/null 2>&1 & P="$P $!"`),
    'sleep 0.3',
    'C=""',
    ...commands.filter(isConnect).map((c) => `${ssh} -T ${shellQuote(c.host)} ${shellQuote(shellJoin(c.argv.slice(c.argv.indexOf('curl'))))} >/dev/null 2>&1 & C="$C $!"`),
    'wait $C',
    'sleep 0.15',
    'kill $P 2>/dev/null; wait',
    'exit 0',
  ].join('\n');
  return { open, run, close };
}

/** From a file: with 100 hosts the script is larger than one argument may be (E2BIG). */
function timeShell(script: string, dir: string): number {
  const file = join(dir, 'floor.sh');
  writeFileSync(file, script);
  const t = performance.now();
  const r = spawnSync('bash', [file], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`the floor script failed (exit ${r.status})`);
  return performance.now() - t;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Inside the ops namespace: measure the doctor and the floor `runs` times. */
async function measureInside(inventory: string, runs: number): Promise<Samples> {
  const topology = parseInventory(readFileSync(inventory, 'utf8'), inventory).topology;
  const hosts = allHosts(topology);
  const sshConfig = topology.director.ssh!.configFile!;
  const work = mkdtempSync('/tmp/lvsd-dx-');
  try {
    const rec = new RecordingTransport(new SshTransport({ hosts }), { dir: join(work, 'bundle') });
    await diagnoseOnce(rec, topology);
    await rec.close();
    const manifest = JSON.parse(readFileSync(join(work, 'bundle', 'manifest.json'), 'utf8')) as { entries: { host: string; argv: string[] }[] };
    const floor = floorScripts(sshConfig, work, manifest.entries, hosts.map((h) => h.name));
    const s: Samples = { coldDoctor: [], coldFloor: [], warmDoctor: [], warmFloor: [], keptDoctor: [], firstDiagnosis: [] };
    for (let i = 0; i < runs; i++) {
      // ICMP error replies are rate-limited per destination (about 1 s): space the runs.
      await pause(1100);
      const t = new SshTransport({ hosts });
      const cold = await diagnoseOnce(t, topology);
      await pause(1100);
      const warm = await diagnoseOnce(t, topology);
      await t.close();
      s.coldDoctor.push(cold.ms);
      s.warmDoctor.push(warm.ms);
      s.firstDiagnosis.push(cold.result.diagnoses[0]?.id ?? cold.result.verdict, warm.result.diagnoses[0]?.id ?? warm.result.verdict);
      // --keep-connections: one run leaves its masters, the next (a new transport, as a new
      // process would be) is timed.
      const keepConnections = { dir: join(work, 'kept'), seconds: 120 };
      const leaver = new SshTransport({ hosts, keepConnections });
      await diagnoseOnce(leaver, topology);
      await leaver.close();
      await pause(1100);
      const finder = new SshTransport({ hosts, keepConnections });
      const kept = await diagnoseOnce(finder, topology);
      await finder.close();
      s.keptDoctor.push(kept.ms);
      s.firstDiagnosis.push(kept.result.diagnoses[0]?.id ?? kept.result.verdict);
      for (const h of hosts) spawnSync('ssh', ['-F', sshConfig, '-o', `ControlPath=${sharedControlPath(keepConnections.dir, 'ssh', h.ssh!)}`, '-O', 'exit', h.ssh!.host], { stdio: 'ignore' });
      await pause(1100);
      s.coldFloor.push(timeShell(`${floor.open}\n${floor.run}`, work));
      await pause(1100);
      s.warmFloor.push(timeShell(floor.run, work));
      writeFileSync(join(work, 'close.sh'), floor.close);
      spawnSync('bash', [join(work, 'close.sh')], { stdio: 'ignore' });
    }
    return s;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchDiagnose(sizes: number[] = [3, 100], runsFor: (n: number) => number = (n) => (n <= 10 ? 3 : 1)): Promise<string> {
  const rows: string[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const n of sizes) {
    const runs = runsFor(n);
    await labDown(PREFIX).catch(() => undefined);
    const info = await labUp({ prefix: PREFIX, realservers: n });
    try {
      for (const phase of ['healthy', 'fault'] as const) {
        if (phase === 'fault') await injectFault(PREFIX, FAULT);
        const child = spawnSync('ip', ['netns', 'exec', info.opsNetns, process.execPath, self, '--inside', info.inventory, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (child.status !== 0) throw new Error(`measurement inside ${info.opsNetns} failed: ${child.stderr}`);
        const s = JSON.parse(child.stdout) as Samples;
        const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
        const answers = [...new Set(s.firstDiagnosis)].join(', ');
        rows.push(`| ${n} RS, ${phase}, cold | ${fmt(median(s.coldDoctor))} | ${fmt(median(s.coldFloor))} | ${(median(s.coldDoctor) / median(s.coldFloor)).toFixed(2)}x | ${answers} | ${s.coldDoctor.map(Math.round).join(', ')} |`);
        rows.push(`| ${n} RS, ${phase}, warm | ${fmt(median(s.warmDoctor))} | ${fmt(median(s.warmFloor))} | ${(median(s.warmDoctor) / median(s.warmFloor)).toFixed(2)}x | ${answers} | ${s.warmDoctor.map(Math.round).join(', ')} |`);
        rows.push(`| ${n} RS, ${phase}, next run (--keep-connections) | ${fmt(median(s.keptDoctor))} | ${fmt(median(s.warmFloor))} | ${(median(s.keptDoctor) / median(s.warmFloor)).toFixed(2)}x | ${answers} | ${s.keptDoctor.map(Math.round).join(', ')} |`);
        if (phase === 'fault') await revertFault(PREFIX, FAULT);
      }
    } finally {
      await labDown(PREFIX);
    }
  }
  return [
    `Runs per row: 3 for 3 realservers, 1 for 100; fault: ${FAULT}. Median wall time.`,
    '',
    '| run | doctor | plain-ssh floor | doctor / floor | first diagnosis | doctor samples (ms) |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--inside') {
    measureInside(process.argv[3], Number(process.argv[4] ?? 3)).then((s) => process.stdout.write(JSON.stringify(s)));
  } else {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    benchDiagnose(sizes.length ? sizes : [3, 100]).then((md) => process.stdout.write(`${md}\n`));
  }
}
