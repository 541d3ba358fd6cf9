// Time to a diagnosis on the lab: healthy and with a fault, cold ssh (the handshakes in the
// run) and warm (ControlMasters already open), for 3 and 100 realservers, each beside the
// floor measured in the same run: a plain OpenSSH shell script that runs the same commands
// (taken from a recording of the doctor's own run) in parallel over open masters, with the
// same captures armed around one curl.
// Run as root: `npm run build && node dist/bench/diagnose.js [N...]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKS } from '../checks/index.js';
import { parseInventory } from '../src/discover/inventory.js';
import { runDiagnosis } from '../src/engine/run.js';
import { injectFault, labDown, labUp, revertFault } from '../src/lab/index.js';
import type { ResultDocument } from '../src/model/result.js';
import { allHosts, type Topology } from '../src/model/topology.js';
import { shellJoin, shellQuote } from '../src/transport/quote.js';
import { RecordingTransport } from '../src/transport/record.js';
import { SshTransport } from '../src/transport/ssh.js';
import type { Transport } from '../src/transport/transport.js';

const PREFIX = 'dxbench';
const FAULT = 'realserver.reply-route';

interface Row {
  what: string;
  doctor: number[];
  floor: number[];
  verdicts: string[];
}

async function diagnoseOnce(transport: Transport, topology: Topology): Promise<{ ms: number; result: ResultDocument }> {
  const t = performance.now();
  let result: ResultDocument | null = null;
  for await (const e of runDiagnosis({ transport, topology, checks: CHECKS })) if (e.type === 'run-end') result = e.result;
  return { ms: performance.now() - t, result: result! };
}

/** The floor script: every recorded command in the background over open masters, captures
 * armed (sleep for tcpdump to listen), one curl per recorded connection, then stop. */
function floorScript(sshPath: string, cpDir: string, commands: { host: string; argv: string[] }[], hosts: string[]): { open: string; run: string; close: string } {
  const ssh = shellQuote(sshPath);
  const cp = `-o ControlPath=${shellQuote(cpDir)}/%h -o BatchMode=yes`;
  const open = hosts.map((h) => `${ssh} ${cp} -o ControlMaster=yes -o ControlPersist=120 -N -f ${shellQuote(h)} &`).concat('wait').join('\n');
  const close = hosts.map((h) => `${ssh} ${cp} -O exit ${shellQuote(h)} 2>/dev/null`).join('\n');
  const plain = commands.filter((c) => c.argv[0] !== 'tcpdump' && c.argv[0] !== 'curl');
  const captures = commands.filter((c) => c.argv[0] === 'tcpdump');
  const curls = commands.filter((c) => c.argv[0] === 'curl');
  const run = [
    ...plain.map((c) => `${ssh} ${cp} -T ${shellQuote(c.host)} ${shellQuote(shellJoin(c.argv))} >/dev/null 2>&1 &`),
    'wait',
    ...captures.map((c) => `${ssh} ${cp} -T ${shellQuote(c.host)} ${shellQuote(`timeout 8 ${shellJoin(c.argv)}`)} >/dev/null 2>&1 & P="$P $!"`),
    'sleep 0.3',
    ...curls.map((c) => `${ssh} ${cp} -T ${shellQuote(c.host)} ${shellQuote(shellJoin(c.argv))} >/dev/null 2>&1 &`),
    'wait $(jobs -p | grep -v -w -F "$(echo $P | tr " " "\\n")") 2>/dev/null',
    'sleep 0.15',
    'kill $P 2>/dev/null; wait',
  ].join('\n');
  return { open, run, close };
}

function timeShell(script: string): number {
  const t = performance.now();
  spawnSync('bash', ['-c', script], { stdio: 'ignore' });
  return performance.now() - t;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchDiagnose(sizes: number[] = [3, 100], runs = 3): Promise<string> {
  const rows: Row[] = [];
  for (const n of sizes) {
    await labDown(PREFIX).catch(() => undefined);
    const info = await labUp({ prefix: PREFIX, realservers: n });
    const work = mkdtempSync('/tmp/lvsd-dx-');
    try {
      const topology = parseInventory(readFileSync(info.inventory, 'utf8'), info.inventory).topology;
      const hosts = allHosts(topology);
      const names = hosts.map((h) => h.name);
      // One recorded warm run gives the floor its command list.
      const rec = new RecordingTransport(new SshTransport({ hosts, sshPath: info.sshWrapper }), { dir: join(work, 'bundle') });
      await diagnoseOnce(rec, topology);
      await rec.close();
      const manifest = JSON.parse(readFileSync(join(work, 'bundle', 'manifest.json'), 'utf8')) as { entries: { host: string; argv: string[] }[] };
      const floor = floorScript(info.sshWrapper, work, manifest.entries, names);
      for (const phase of ['healthy', 'fault'] as const) {
        if (phase === 'fault') await injectFault(PREFIX, FAULT);
        const cold: Row = { what: `${n} RS, ${phase}, cold`, doctor: [], floor: [], verdicts: [] };
        const warm: Row = { what: `${n} RS, ${phase}, warm`, doctor: [], floor: [], verdicts: [] };
        for (let i = 0; i < runs; i++) {
          // Cold: a fresh transport, handshakes inside the timing; the floor opens its masters too.
          const t = new SshTransport({ hosts, sshPath: info.sshWrapper });
          const c = await diagnoseOnce(t, topology);
          cold.doctor.push(c.ms);
          cold.verdicts.push(c.result.diagnoses[0]?.id ?? c.result.verdict);
          // Warm: the same transport again, masters open.
          await new Promise((r) => setTimeout(r, 1100)); // ICMP rate limit (LAB-NOTES)
          const w = await diagnoseOnce(t, topology);
          warm.doctor.push(w.ms);
          warm.verdicts.push(w.result.diagnoses[0]?.id ?? w.result.verdict);
          await t.close();
          cold.floor.push(timeShell(`${floor.open}\n${floor.run}`));
          spawnSync('bash', ['-c', floor.close]);
          spawnSync('bash', ['-c', floor.open]);
          await new Promise((r) => setTimeout(r, 1100));
          warm.floor.push(timeShell(floor.run));
          spawnSync('bash', ['-c', floor.close]);
        }
        rows.push(cold, warm);
        if (phase === 'fault') await revertFault(PREFIX, FAULT);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
      await labDown(PREFIX);
    }
  }
  const lines = [
    '| run | doctor (median) | floor (median) | doctor / floor | first diagnosis | samples (doctor, ms) |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${(median(r.doctor) / 1000).toFixed(2)} s | ${(median(r.floor) / 1000).toFixed(2)} s | ${(median(r.doctor) / median(r.floor)).toFixed(2)}x | ${[...new Set(r.verdicts)].join(', ')} | ${r.doctor.map((x) => Math.round(x)).join(', ')} |`),
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  benchDiagnose(sizes.length ? sizes : [3, 100]).then((md) => process.stdout.write(`${md}\n`));
}
