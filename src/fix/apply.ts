// Runs a plan's writes, and rollbacks, through the same Transport the diagnosis used. Steps run
// in order and stop at the first failure; rollbacks run in reverse order and all of them are
// tried. Each result is returned for the audit and the report.
import { TransportError, type Transport } from '../transport/transport.js';
import { FIX_COMMAND_TIMEOUT_MS } from './plan.js';

export interface Ran {
  host: string;
  argv: string[];
  exitCode: number;
  output: string;
}

export interface StepLike {
  host: string;
  apply: string[];
  rollback: { commands: string[][] };
}

async function runOne(transport: Transport, host: string, argv: string[]): Promise<Ran> {
  try {
    const r = await transport.run(host, argv, { timeoutMs: FIX_COMMAND_TIMEOUT_MS, needsRoot: true });
    const output = `${Buffer.from(r.stdout).toString('utf8')}${r.stderr}`.trim();
    return { host, argv, exitCode: r.timedOut ? 124 : r.exitCode, output };
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return { host, argv, exitCode: -1, output: err.message };
  }
}

/** Applies the steps in order; `applied` counts those that succeeded, `failed` is the one that did not. */
export async function applySteps(transport: Transport, steps: readonly StepLike[], onRan?: (r: Ran) => void): Promise<{ applied: number; ran: Ran[]; failed?: Ran }> {
  const ran: Ran[] = [];
  for (const step of steps) {
    const r = await runOne(transport, step.host, step.apply);
    ran.push(r);
    onRan?.(r);
    if (r.exitCode !== 0) return { applied: ran.length - 1, ran, failed: r };
  }
  return { applied: ran.length, ran };
}

/** Undoes the first `applied` steps, last first; every rollback command is tried. */
export async function rollbackSteps(transport: Transport, steps: readonly StepLike[], applied: number, onRan?: (r: Ran) => void): Promise<{ ok: boolean; ran: Ran[] }> {
  const ran: Ran[] = [];
  for (const step of steps.slice(0, applied).reverse()) {
    for (const argv of step.rollback.commands) {
      const r = await runOne(transport, step.host, argv);
      ran.push(r);
      onRan?.(r);
    }
  }
  return { ok: ran.every((r) => r.exitCode === 0), ran };
}
