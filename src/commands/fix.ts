// `lvs-doctor --fix ID [--yes | --dry-run]` and `lvs-doctor rollback`: the only commands that
// change a host. Read-only stays the default: nothing is written without --fix and consent
// (--yes, or `y` typed on a terminal). The fix is planned from a fresh diagnosis (its rollback
// built from the state read first), saved, applied through the same transport, verified by a
// second run, and rolled back by itself when the fault is still there or a new one appears.
// Every command of the session, reads and writes, goes to the fix's audit bundle.
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CHECKS } from '../../checks/index.js';
import { runDiagnosis } from '../engine/run.js';
import type { ResultDocument } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { applySteps, rollbackSteps } from '../fix/apply.js';
import { notDiagnosedLines, planLines, ranLine, refusalLines } from '../fix/format.js';
import { planFix, type FixPlan, type Planned } from '../fix/plan.js';
import { checkRecord, FixStateError, newFixDir, readLastRecord, writeRecord, type FixRecord } from '../fix/state.js';
import { verifyFix, type Verification } from '../fix/verify.js';
import { ByHostTransport } from '../transport/by-host.js';
import { createLocalTransport } from '../transport/local.js';
import { RecordingTransport } from '../transport/record.js';
import { createSshTransport } from '../transport/ssh.js';
import type { Transport } from '../transport/transport.js';
import type { TuiFixer } from '../ui/run-tui.js';
import { EX_DATAERR, EX_OK, EX_USAGE, HELP, wantsHelp } from './help.js';
import type { CommandIO } from './io.js';

/** Exit codes of --fix and rollback (0: verified / rolled back / a dry run that could apply). */
export const FIX_EXIT = { verified: 0, rolledBack: 1, notApplied: 4, notDiagnosed: 5, applyFailed: 6, rollbackFailed: 7 } as const;

export interface FixRequest {
  id: string;
  yes: boolean;
  dryRun: boolean;
  deadlineMs?: number;
  /** --trace-drops: the run that plans the fix reads the kernel's drop reasons too (evidence of
   * the fault, kept in the audit). The verifying run is decided by the check alone: untraced. */
  traceDrops?: boolean;
}

/** How a diagnosis of the fix runs: the command line's bound, and --trace-drops. */
interface RunLimits {
  deadlineMs?: number;
  traceDrops?: boolean;
}

async function diagnoseOnce(transport: Transport, topology: Topology, io: CommandIO, limits: RunLimits): Promise<ResultDocument> {
  const { deadlineMs, traceDrops } = limits;
  const run = runDiagnosis({
    transport, topology, checks: CHECKS, mode: 'live',
    ...(io.interrupt ? { signal: io.interrupt } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(traceDrops ? { testConnection: { traceDrops: true } } : {}),
  });
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
  }
}

async function consent(io: CommandIO): Promise<boolean> {
  if (!io.isTTY || !process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question('apply these commands? type y to apply, anything else to leave the hosts as they are: ')).trim() === 'y';
  } finally {
    rl.close();
  }
}

function recordOf(plan: FixPlan, topology: Topology): FixRecord {
  return { tool: 'lvs-doctor', kind: 'fix', id: plan.id, check: plan.check, createdAt: new Date().toISOString(), topology, steps: plan.steps, setAside: plan.setAside, applied: 0, status: 'applying' };
}

/** The outcome of one apply: what the TUI shows and the command line turns into an exit code. */
export interface FixOutcome {
  code: number;
  lines: string[];
  verification?: Verification;
}

/** Applies a plan, verifies it with a second run, rolls back when it is not verified. */
export async function applyPlanned(plan: FixPlan, before: ResultDocument, transport: Transport, topology: Topology, io: CommandIO, dir: string, deadlineMs?: number): Promise<FixOutcome> {
  const lines: string[] = [];
  const record = recordOf(plan, topology);
  await writeRecord(dir, record, io.env);
  const applied = await applySteps(transport, plan.steps, (r) => lines.push(ranLine('applied', r)));
  record.applied = applied.applied;
  const undo = async (why: string): Promise<FixOutcome> => {
    const back = await rollbackSteps(transport, plan.steps, record.applied, (r) => lines.push(ranLine('rolled back', r)));
    record.status = back.ok ? 'rolled-back' : 'rollback-failed';
    await writeRecord(dir, record, io.env);
    lines.push(back.ok ? `rolled back: ${why}` : `ROLLBACK INCOMPLETE (${why}): see the failed commands above; the saved state is in ${dir}/fix.json`);
    return { code: back.ok ? FIX_EXIT.rolledBack : FIX_EXIT.rollbackFailed, lines };
  };
  if (applied.failed) {
    const o = await undo(`a command failed on ${applied.failed.host}`);
    return { ...o, code: o.code === FIX_EXIT.rollbackFailed ? o.code : FIX_EXIT.applyFailed };
  }
  await writeRecord(dir, record, io.env);
  // Untraced: the check decides the verification (--trace-drops is evidence of the fault).
  const after = await diagnoseOnce(transport, topology, io, { deadlineMs });
  const verification = verifyFix(plan.id, plan.check, before, after);
  record.verification = verification.line;
  lines.push(`verify: ${verification.line}`);
  if (!verification.verified) {
    const o = await undo(verification.stillDiagnosed || verification.after !== 'pass' ? 'fault still present' : `a new fault appeared (${verification.newFaults.join(', ')})`);
    return { ...o, verification };
  }
  record.status = 'verified';
  await writeRecord(dir, record, io.env);
  lines.push(`fixed and verified: ${plan.id} (undo with: lvs-doctor rollback)`);
  return { code: FIX_EXIT.verified, lines, verification };
}

/** `--fix ID`: diagnose, plan, then (with consent) apply, verify, roll back if needed. */
export async function fixCommand(request: FixRequest, inner: Transport, topology: Topology, io: CommandIO): Promise<number> {
  // A dry run writes nothing, not even state: its reads are those of any diagnosis.
  const dir = request.dryRun ? null : await newFixDir(request.id, io.env);
  const transport = dir ? new RecordingTransport(inner, { dir: join(dir, 'audit'), topology, runOptions: { fix: request.id } }) : inner;
  try {
    const before = await diagnoseOnce(transport, topology, io, request);
    const d = before.diagnoses.find((x) => x.id === request.id);
    if (!d) {
      io.out(`${notDiagnosedLines(request.id, before).join('\n')}\n`);
      return FIX_EXIT.notDiagnosed;
    }
    const planned: Planned = await planFix(d, topology, transport);
    if (!planned.ok) {
      io.out(`${refusalLines(planned).join('\n')}\n`);
      return FIX_EXIT.notApplied;
    }
    io.out(`${planLines(planned.plan).join('\n')}\n`);
    if (request.dryRun) {
      io.out('dry run: nothing was run on any host\n');
      return EX_OK;
    }
    if (!request.yes && !(await consent(io))) {
      io.out('not applied: give --yes to apply (or --dry-run to only see the plan)\n');
      return FIX_EXIT.notApplied;
    }
    const outcome = await applyPlanned(planned.plan, before, transport, topology, io, dir!, request.deadlineMs);
    io.out(`${outcome.lines.join('\n')}\naudit: ${dir}\n`);
    return outcome.code;
  } finally {
    await transport.close();
  }
}

/** Runs the rollback of a record's applied steps and marks it rolled back. */
export async function rollbackRecord(dir: string, record: FixRecord, inner: Transport, io: CommandIO): Promise<{ code: number; lines: string[] }> {
  const transport = new RecordingTransport(inner, { dir: join(dir, `rollback-${Date.now()}`), topology: record.topology, runOptions: { rollback: record.id } });
  const lines: string[] = [];
  try {
    const back = await rollbackSteps(transport, record.steps, record.applied, (r) => lines.push(ranLine('rolled back', r)));
    record.status = back.ok ? 'rolled-back' : 'rollback-failed';
    await writeRecord(dir, record, io.env);
    lines.push(back.ok ? `rolled back: ${record.id} (applied ${record.createdAt})` : `ROLLBACK INCOMPLETE: see the failed commands above (${dir}/fix.json)`);
    return { code: back.ok ? EX_OK : FIX_EXIT.rollbackFailed, lines };
  } finally {
    await transport.close();
  }
}

/** The transport a saved topology reaches its hosts by (ssh with the access it had, or local). */
function transportFor(topology: Topology): Transport {
  const hosts = [topology.director, topology.client, ...topology.realservers];
  return new ByHostTransport(hosts, createSshTransport({ hosts }), createLocalTransport({ sudo: true }));
}

/** `lvs-doctor rollback`: undoes the last applied fix from its saved state. */
export async function rollbackCommand(args: string[], io: CommandIO, makeTransport: (t: Topology) => Transport = transportFor): Promise<number> {
  if (wantsHelp(args)) {
    io.out(`${HELP.rollback}\n`);
    return EX_OK;
  }
  if (args.length > 0) {
    io.err(`lvs-doctor rollback: unexpected argument '${args[0]}'\nusage: lvs-doctor rollback   (lvs-doctor rollback --help)\n`);
    return EX_USAGE;
  }
  let last;
  try {
    last = await readLastRecord(io.env);
    if (last) checkRecord(last.record);
  } catch (err) {
    if (!(err instanceof FixStateError)) throw err;
    io.err(`lvs-doctor rollback: ${err.message}\n`);
    return EX_DATAERR;
  }
  if (!last) {
    io.out('nothing to roll back: no fix was applied (state directory: see lvs-doctor rollback --help)\n');
    return EX_OK;
  }
  const { dir, record } = last;
  if (record.status === 'rolled-back' || record.applied === 0) {
    io.out(`nothing to roll back: the last fix (${record.id}, ${record.createdAt}) is ${record.applied === 0 ? 'not applied' : 'rolled back already'}\n`);
    return EX_OK;
  }
  const { code, lines } = await rollbackRecord(dir, record, makeTransport(record.topology), io);
  io.out(`${lines.join('\n')}\n`);
  return code;
}

/**
 * The write path for the TUI's `f`: plans the fix of a diagnosis of the run on screen, and
 * applies it when the user types y. The TUI's transport stays open for its next run: the audit
 * recorder wraps it without closing it.
 */
export function tuiFixer(inner: Transport, topology: Topology, io: CommandIO, deadlineMs?: number): TuiFixer {
  return {
    async plan(result, id) {
      const d = result.diagnoses.find((x) => x.id === id);
      if (!d) return { lines: [`${id} is not a diagnosis of this run`] };
      const dir = await newFixDir(id, io.env);
      const open: Transport = { run: (host, argv, options) => inner.run(host, argv, options), runTogether: (host, argvs, options) => inner.runTogether(host, argvs, options), close: async () => undefined };
      const transport = new RecordingTransport(open, { dir: join(dir, 'audit'), topology, runOptions: { fix: id } });
      const planned = await planFix(d, topology, transport);
      if (!planned.ok) {
        await transport.close();
        return { lines: refusalLines(planned) };
      }
      return {
        lines: planLines(planned.plan),
        apply: async () => {
          try {
            const o = await applyPlanned(planned.plan, result, transport, topology, io, dir, deadlineMs);
            return { lines: [...o.lines, `audit: ${dir}`], ok: o.code === FIX_EXIT.verified };
          } finally {
            await transport.close();
          }
        },
        cancel: () => transport.close(),
      };
    },
  };
}
