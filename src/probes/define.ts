import type { ProbeCommand } from './probe.js';

export type ProbeFields = Omit<ProbeCommand, 'key'> & { key?: string };

/** Fills the dedupe key from parser + argv: the same command read the same way is one probe. */
export function defineProbe(fields: ProbeFields): ProbeCommand {
  return {
    ...fields,
    key: fields.key ?? `${fields.parser} ${JSON.stringify(fields.argv)}`,
    quick: fields.quick ?? (fields.timeoutMs <= SHORT_MS && !WAITS_ON_THE_NETWORK.has(fields.argv[0] ?? '')),
  };
}

/** Tools that run as long as the network or the caller makes them (captures, connections):
 * never queued behind each other. ping and traceroute say for themselves (ping.ts). */
const WAITS_ON_THE_NETWORK = new Set(['tcpdump', 'curl', 'socat', 'nc', 'bash', 'timeout', 'sleep']);

export const SHORT_MS = 10_000;
