// Health through the VIP, from the lab's client: which realserver answered each connection.
import { readState } from './state.js';
import { labExec } from './exec.js';
import { LabError } from './plan.js';

export interface FetchResult {
  /** One entry per connection: the realserver name that answered, or null on failure. */
  servedBy: (string | null)[];
}

/** Makes `count` sequential HTTP connections to VIP:VPORT from `fromHost` (client or lanclient). */
export async function fetchThroughVip(
  prefix: string,
  count: number,
  options: { fromHost?: string; timeoutSeconds?: number } = {},
): Promise<FetchResult> {
  const state = readState(prefix);
  if (!state) throw new LabError(`no lab '${prefix}' is up`);
  const { vip, vport } = state.info.service;
  // Generous: on a loaded 2-core machine a healthy handshake can take more than a second.
  const max = options.timeoutSeconds ?? 5;
  const script = `for i in $(seq ${count}); do curl -s --max-time ${max} http://${vip}:${vport}/ || echo FAIL; done`;
  const result = await labExec(prefix, options.fromHost ?? 'client', ['sh', '-c', script], { timeoutMs: (max + 1) * count * 1000 + 5000 });
  const lines = result.stdout.split('\n').filter((l) => l.length > 0);
  const names = new Set(state.info.realservers.map((r) => r.name));
  return { servedBy: lines.map((l) => (names.has(l.trim()) ? l.trim() : null)) };
}

/** Healthy = `count` connections all answered, spread round robin over every realserver. */
export async function checkRoundRobin(prefix: string, count?: number): Promise<{ ok: boolean; servedBy: (string | null)[]; reason?: string }> {
  const state = readState(prefix);
  if (!state) throw new LabError(`no lab '${prefix}' is up`);
  const n = state.info.realservers.length;
  const { servedBy } = await fetchThroughVip(prefix, count ?? n);
  if (servedBy.some((s) => s === null)) return { ok: false, servedBy, reason: 'a connection through the VIP failed' };
  const expected = state.pinned ? 1 : Math.min(n, servedBy.length);
  const distinct = new Set(servedBy).size;
  if (distinct !== expected) return { ok: false, servedBy, reason: `expected ${expected} distinct realservers, got ${distinct}` };
  return { ok: true, servedBy };
}
