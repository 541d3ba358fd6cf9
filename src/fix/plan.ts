// A diagnosis's fixes become a plan: per host, the argv to run, what was read and saved first,
// and the rollback built from it. Or a refusal that says why, before anything is written.
import type { Diagnosis } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { TransportError, type Transport } from '../transport/transport.js';
import { classifyCommand, type FixAction } from './actions.js';
import { applyArgv, buildRollback, readsFor, UndoRefusal, type Rollback, type Saved } from './undo.js';

export interface FixStep {
  host: string;
  /** The command as the diagnosis printed it. */
  printed: string;
  action: FixAction;
  apply: string[];
  saved: Saved[];
  rollback: Rollback;
}

/** A command of the fix that is not run: a read for the operator, or boot configuration. */
export interface SetAside {
  host: string;
  command: string;
  why: string;
}

export interface FixPlan {
  id: string;
  /** The check that proved the fault: the verification reads its verdict again. */
  check: string;
  summary: string;
  steps: FixStep[];
  setAside: SetAside[];
}

export type Planned = { ok: true; plan: FixPlan } | { ok: false; id: string; reason: string; setAside: SetAside[] };

/** Bound on each read and each write on a host. */
export const FIX_COMMAND_TIMEOUT_MS = 15_000;

function hostAccess(topology: Topology, host: string): string | null {
  const spec = [topology.director, topology.client, ...topology.realservers].find((h) => h.name === host);
  if (!spec) return `${host} is not a host of the inventory`;
  if (spec.access === 'none') return `${host} is off-limits (no login there): lvs-doctor cannot apply or undo anything on it`;
  return null;
}

/** Classifies the fix's commands: the actions, what is set aside, or the first refusal. */
export function actionsOf(d: Diagnosis, topology: Topology): { actions: { host: string; printed: string; action: FixAction }[]; setAside: SetAside[]; refused?: string } {
  const actions: { host: string; printed: string; action: FixAction }[] = [];
  const setAside: SetAside[] = [];
  const seen = new Set<string>();
  if (d.explainedBy) return { actions, setAside, refused: `a consequence of ${d.explainedBy}: fix that one (lvs-doctor --fix ${d.explainedBy})` };
  for (const fix of d.fixes) {
    for (const command of fix.commands) {
      const key = `${fix.host}\u0000${command}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = classifyCommand(command);
      // A placeholder's fix says in its why what evidence was missing.
      if (c.kind === 'refused') return { actions, setAside, refused: `on ${fix.host}: \`${command}\`: ${c.why}${c.placeholder ? ` (${fix.why})` : ''}` };
      if (c.kind !== 'action') {
        setAside.push({ host: fix.host, command, why: c.why });
        continue;
      }
      const access = hostAccess(topology, fix.host);
      if (access) return { actions, setAside, refused: access };
      actions.push({ host: fix.host, printed: command, action: c.action });
    }
  }
  if (actions.length === 0) {
    const advice = d.fixes.map((f) => f.why).join('; ');
    const reads = setAside.length ? `its commands are reads or boot configuration for you (${setAside.map((s) => s.command).join('; ')})` : 'it has no command';
    return { actions, setAside, refused: `nothing lvs-doctor can apply and undo: ${reads}${advice ? `; the advice: ${advice}` : ''}` };
  }
  return { actions, setAside };
}

/** Reads the current state of every action and builds its rollback; refuses if one cannot be built. */
export async function planFix(d: Diagnosis, topology: Topology, transport: Transport): Promise<Planned> {
  const { actions, setAside, refused } = actionsOf(d, topology);
  if (refused) return { ok: false, id: d.id, reason: refused, setAside };
  const steps: FixStep[] = [];
  for (const { host, printed, action } of actions) {
    const saved: Saved[] = [];
    for (const argv of readsFor(action)) {
      try {
        const r = await transport.run(host, argv, { timeoutMs: FIX_COMMAND_TIMEOUT_MS, needsRoot: true });
        saved.push({ argv, output: Buffer.from(r.stdout).toString('utf8'), exitCode: r.exitCode });
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        return { ok: false, id: d.id, reason: `cannot read the current state on ${host} (${argv.join(' ')}): ${err.message}`, setAside };
      }
    }
    try {
      steps.push({ host, printed, action, apply: applyArgv(action), saved, rollback: buildRollback(action, saved) });
    } catch (err) {
      if (!(err instanceof UndoRefusal)) throw err;
      return { ok: false, id: d.id, reason: `on ${host}: \`${printed}\` cannot be undone safely: ${err.message}`, setAside };
    }
  }
  return { ok: true, plan: { id: d.id, check: d.check, summary: d.summary, steps, setAside } };
}
