// Shared by the local and ssh transport tests: a command that stands for tcpdump (it says it is
// ready, prints a numbered counters line on each SIGUSR1, ends on TERM) is asked twice for its
// counters through RunOptions.countersOnDemand, then stopped; after the stop it cannot be asked.
import { expect } from 'vitest';
import type { Transport } from '../../src/transport/transport.js';

export function countingScript(marker: string): string {
  return `n=0; trap 'n=$((n+1)); echo "counters $n" >&2' USR1; trap 'exit 0' TERM; echo ready >&2; while :; do sleep 0.05; done # ${marker}`;
}

/** Returns the counters lines the command printed. */
export async function askTwiceThenStop(t: Transport, host: string, marker: string): Promise<string[]> {
  const lines: string[] = [];
  const ac = new AbortController();
  let ask: (() => boolean) | null = null;
  const run = t.run(host, ['sh', '-c', countingScript(marker)], { timeoutMs: 20_000, signal: ac.signal, endsOnStdinClose: true, countersOnDemand: (a) => (ask = a), onStderrLine: (l) => lines.push(l) });
  const until = async (line: string): Promise<void> => {
    while (!lines.includes(line)) await new Promise((r) => setTimeout(r, 20));
  };
  await until('ready');
  expect(ask).not.toBeNull();
  expect(ask!()).toBe(true);
  await until('counters 1');
  expect(ask!()).toBe(true);
  await until('counters 2');
  ac.abort();
  expect((await run).stopped).toBe(true);
  expect(ask!()).toBe(false);
  return lines.filter((l) => l.startsWith('counters'));
}
