// Lab timings: `lab up` / `lab down` for 3 and 100 realservers, and ssh command cost through ops.
// Run as root: `npm run build && node dist/bench/lab.js` (prints the BENCHMARKS.md "## Lab" table).
import { execFileSync } from 'node:child_process';
import { labDown, labUp, type NatBackend } from '../src/lab/index.js';

const PREFIX = 'labbench';

interface Row {
  what: string;
  samples: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function upDown(realservers: number, nat: NatBackend, runs: number): Promise<Row[]> {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await labUp({ prefix: PREFIX, realservers, nat });
    up.push(performance.now() - t);
    t = performance.now();
    const { leftovers } = await labDown(PREFIX);
    down.push(performance.now() - t);
    if (leftovers.length > 0) throw new Error(`leftovers: ${leftovers.join(', ')}`);
  }
  return [
    { what: `lab up, ${realservers} realservers, ${nat}`, samples: up },
    { what: `lab down, ${realservers} realservers`, samples: down },
  ];
}

async function sshCost(): Promise<Row[]> {
  const info = await labUp({ prefix: PREFIX, realservers: 3 });
  const control = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${info.dir}/cm-%h`, '-o', 'ControlPersist=60'];
  const ssh = (args: string[]): number => {
    const t = performance.now();
    execFileSync('ip', ['netns', 'exec', info.opsNetns, 'ssh', '-F', info.sshConfig, ...args], { stdio: 'pipe' });
    return performance.now() - t;
  };
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) cold.push(ssh(['director', 'true']));
  ssh([...control, 'director', 'true']);
  const mux: number[] = [];
  for (let i = 0; i < 20; i++) mux.push(ssh([...control, 'director', 'true']));
  const exec: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    execFileSync('ip', ['netns', 'exec', info.opsNetns, 'true']);
    exec.push(performance.now() - t);
  }
  ssh([...control, '-O', 'exit', 'director']);
  await labDown(PREFIX);
  return [
    { what: 'ssh director true, cold (new connection)', samples: cold },
    { what: 'ssh director true, over an open ControlMaster', samples: mux },
    { what: 'floor: `ip netns exec ops true` alone', samples: exec },
  ];
}

async function main(): Promise<void> {
  await labDown(PREFIX).catch(() => undefined);
  const rows = [
    ...(await upDown(3, 'iptables', 5)),
    ...(await upDown(3, 'nft', 3)),
    ...(await upDown(100, 'iptables', 3)),
    ...(await upDown(100, 'nft', 1)),
    ...(await sshCost()),
  ];
  console.log('| measurement | runs | median | min | max |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const f = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
    console.log(`| ${r.what} | ${r.samples.length} | ${f(median(r.samples))} | ${f(Math.min(...r.samples))} | ${f(Math.max(...r.samples))} |`);
  }
}

await main();
