// Probe set timings: 1 director + 3 realservers over the lab's ssh, cold (new masters) and
// warm (masters open), against a plain OpenSSH shell script running the same commands in
// parallel over its own ControlMasters (the floor), measured in the same run.
// Run as root: `npm run build && node dist/bench/probes.js` (prints the BENCHMARKS.md "## Probes" table).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKS } from '../checks/index.js';
import { planBeforeConnection } from '../src/engine/probe-plan.js';
import { labDown, labUp } from '../src/lab/index.js';
import { allHosts, type Topology } from '../src/model/topology.js';
import type { ProbeCommand } from '../src/probes/probe.js';
import { runProbes } from '../src/probes/runner.js';
import { shellJoin, shellQuote } from '../src/transport/quote.js';
import { boundedArgv } from '../src/transport/remote-command.js';
import { master, NON_INTERACTIVE, optionArgs, SESSION } from '../src/transport/ssh-options.js';
import { SshTransport } from '../src/transport/ssh.js';

const PREFIX = 'tpbench';

export interface ProbeBenchRow {
  what: string;
  samples: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function topologyOf(info: Awaited<ReturnType<typeof labUp>>): Topology {
  return {
    service: { protocol: 'TCP', vip: info.service.vip, vport: info.service.vport },
    director: { name: 'director', role: 'director', access: 'ssh', ssh: { host: 'director' }, ext: info.ext, int: info.int, dip: info.dip },
    client: { name: 'client', role: 'client', access: 'ssh', ssh: { host: 'client' }, cip: info.cip },
    realservers: info.realservers.map((r) => ({ name: r.name, role: 'realserver' as const, access: 'ssh' as const, ssh: { host: r.name }, rip: r.rip, rport: r.rport })),
  };
}

/** The floor: one background ssh per command over per-host masters, then `wait`. */
function floorScript(sshPath: string, commands: { host: string; probe: ProbeCommand }[], cold: boolean, bounded = false): string {
  const ssh = shellQuote(sshPath);
  const hosts = [...new Set(commands.map((c) => c.host))];
  const cp = `-o ControlPath="$CP/%h" ${shellJoin(optionArgs(NON_INTERACTIVE))}`;
  const lines = ['#!/bin/sh', 'CP="$1"'];
  if (cold) {
    hosts.forEach((h) => lines.push(`${ssh} ${cp} ${shellJoin(optionArgs(master(60)))} -N -f ${shellQuote(h)} &`));
    lines.push('wait');
  }
  const argv = (p: ProbeCommand): string[] => (bounded ? boundedArgv(p.argv, { timeoutMs: p.timeoutMs, sudo: false }) : p.argv);
  commands.forEach((c) => lines.push(`${ssh} ${cp} ${shellJoin(optionArgs(SESSION))} -T ${shellQuote(c.host)} ${shellQuote(shellJoin(argv(c.probe)))} >/dev/null 2>&1 &`));
  lines.push('wait');
  if (cold) hosts.forEach((h) => lines.push(`${ssh} ${cp} -O exit ${shellQuote(h)} 2>/dev/null`));
  return `${lines.join('\n')}\n`;
}

function timeScript(file: string, cpDir: string): number {
  const t = performance.now();
  const r = spawnSync('sh', [file, cpDir], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`floor script failed (${r.status})`);
  return performance.now() - t;
}

export async function benchProbes(runs = 7): Promise<ProbeBenchRow[]> {
  await labDown(PREFIX).catch(() => undefined);
  const info = await labUp({ prefix: PREFIX, realservers: 3 });
  const work = mkdtempSync(join('/tmp', 'lvsd-bench-'));
  try {
    const topology = topologyOf(info);
    // The engine's own plan: what a run with this inventory sends before the test connection.
    const commands = planBeforeConnection(topology, CHECKS).map((j) => ({ host: j.host, probe: j.probe }));
    const requests = commands;
    const unique = [...new Map(commands.map((c) => [`${c.host} ${c.probe.key}`, c])).values()];
    const hosts = allHosts(topology).filter((h) => h.role !== 'client');
    const coldFile = join(work, 'floor-cold.sh');
    const warmFile = join(work, 'floor-warm.sh');
    writeFileSync(coldFile, floorScript(info.sshWrapper, unique, true));
    writeFileSync(warmFile, floorScript(info.sshWrapper, unique, false));
    const boundedFile = join(work, 'floor-warm-bounded.sh');
    writeFileSync(boundedFile, floorScript(info.sshWrapper, unique, false, true));

    const rows: Record<string, number[]> = { oursCold: [], floorCold: [], oursWarm: [], oursWide: [], floorWarm: [], floorBounded: [] };
    for (let i = 0; i < runs; i++) {
      // Cold: handshakes included, both sides.
      let t = performance.now();
      const cold = new SshTransport({ hosts, sshPath: info.sshWrapper });
      await cold.prepare(hosts.map((h) => h.name));
      await runProbes(cold, requests);
      await cold.close();
      rows.oursCold.push(performance.now() - t);
      rows.floorCold.push(timeScript(coldFile, mkdtempSync(join(work, 'c'))));
    }
    const warm = new SshTransport({ hosts, sshPath: info.sshWrapper });
    await warm.prepare(hosts.map((h) => h.name));
    const floorCp = mkdtempSync(join(work, 'w'));
    const open = hosts.map((h) => `${shellQuote(info.sshWrapper)} -o ControlPath="$1/%h" ${shellJoin(optionArgs(NON_INTERACTIVE, master(120)))} -N -f ${shellQuote(h.name)}`);
    writeFileSync(join(work, 'open.sh'), `${open.join(' &\n')} &\nwait\n`);
    spawnSync('sh', [join(work, 'open.sh'), floorCp], { stdio: 'ignore' });
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await runProbes(warm, requests);
      rows.oursWarm.push(performance.now() - t);
      const w = performance.now();
      await runProbes(warm, requests, { limits: { global: 64, perHost: 64 } });
      rows.oursWide.push(performance.now() - w);
      rows.floorWarm.push(timeScript(warmFile, floorCp));
      rows.floorBounded.push(timeScript(boundedFile, floorCp));
    }
    await warm.close();
    for (const h of hosts) spawnSync(info.sshWrapper, ['-o', `ControlPath=${floorCp}/%h`, '-O', 'exit', h.name], { stdio: 'ignore' });
    const n = `${unique.length} commands on ${hosts.length} hosts`;
    return [
      { what: `probe set, cold (new ControlMasters), lvs-doctor — ${n}`, samples: rows.oursCold },
      { what: 'probe set, cold, floor (sh + OpenSSH, same commands in parallel)', samples: rows.floorCold },
      { what: 'probe set, warm (masters open), lvs-doctor', samples: rows.oursWarm },
      { what: 'probe set, warm, lvs-doctor with per-host limit 64 (unbounded like the floor; the lab sshd allows MaxSessions 64)', samples: rows.oursWide },
      { what: 'probe set, warm, floor', samples: rows.floorWarm },
      { what: 'probe set, warm, floor with the same remote bound (`timeout -k 1 S cmd`)', samples: rows.floorBounded },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
    await labDown(PREFIX).catch(() => undefined);
  }
}

export function formatProbeBench(rows: ProbeBenchRow[]): string {
  const f = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
  const out = ['| measurement | runs | median | min | max |', '|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${r.what} | ${r.samples.length} | ${f(median(r.samples))} | ${f(Math.min(...r.samples))} | ${f(Math.max(...r.samples))} |`);
  const ratio = (a: number, b: number): string => (median(rows[a].samples) / median(rows[b].samples)).toFixed(2);
  out.push(
    '',
    `ratio to the floor (medians): cold ${ratio(0, 1)}x, warm ${ratio(2, 4)}x (default per-host limit 8), warm ${ratio(3, 4)}x (per-host limit 64); warm against the bounded floor ${ratio(2, 5)}x`,
  );
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatProbeBench(await benchProbes(Number(process.argv[2] ?? 7))));
}
