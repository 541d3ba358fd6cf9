// Some faults are what another fault looks like from further along the path. When rs1's
// firewall drops the request, the director's table also shows the test connection half-open
// (director.return-path-stalled), and that diagnosis' fix (rs1's default route) would be
// wrong. Such a consequence is folded under its cause: it keeps its evidence, loses its
// fixes, and says which diagnosis explains it.
import type { FaultId } from './faults.js';

interface Consequence {
  /** The fault that can be a consequence. */
  symptom: FaultId;
  /** Whether a given fault explains it; `sharedHost` says whether the two name a common host. */
  explainedBy(cause: FaultId, sharedHost: boolean): boolean;
}

/** Director faults that stop a connection in one direction or the other, whatever realserver it went to. */
const DIRECTOR_PATH_FAULTS: ReadonlySet<FaultId> = new Set<FaultId>([
  'director.ip-forward-off',
  'director.not-masq',
  'director.send-redirects',
  'director.rp-filter',
  'director.firewall-drop',
  'director.snat-reroute',
  'director.conn-reuse-stall',
  'director.vs-conntrack-off',
]);

const CONSEQUENCES: readonly Consequence[] = [
  {
    // "Replies do not come back through the director": true of every fault on the realserver
    // that leaves the request unanswered or answered by another way, and of the director's own.
    symptom: 'director.return-path-stalled',
    explainedBy: (cause, sharedHost) => (cause.startsWith('realserver.') && sharedHost) || DIRECTOR_PATH_FAULTS.has(cause),
  },
  {
    // The director cannot reach a RIP that no realserver holds.
    symptom: 'realserver.unreachable',
    explainedBy: (cause, sharedHost) => cause === 'realserver.rip-missing' && sharedHost,
  },
];

export interface FoldCandidate {
  id: FaultId;
  severity: 'fail' | 'warn';
  hosts: string[];
  certainty: number;
}

/**
 * The diagnosis of `ranked` (most certain first) that explains `symptom`, if any: a failure at
 * least as certain as the symptom. Callers follow the chain to the root (see rootCauses).
 */
export function explainingCause<T extends FoldCandidate>(symptom: T, ranked: readonly T[]): T | undefined {
  const rule = CONSEQUENCES.find((c) => c.symptom === symptom.id);
  if (!rule) return undefined;
  return ranked.find(
    (cause) =>
      cause.id !== symptom.id &&
      cause.severity === 'fail' &&
      cause.certainty >= symptom.certainty &&
      rule.explainedBy(cause.id, cause.hosts.some((h) => symptom.hosts.includes(h))),
  );
}

/** For each diagnosis, the root cause that explains it (undefined for a root cause itself). */
export function rootCauses<T extends FoldCandidate>(ranked: readonly T[]): Map<T, T> {
  const direct = new Map<T, T>();
  for (const d of ranked) {
    const cause = explainingCause(d, ranked);
    if (cause) direct.set(d, cause);
  }
  const roots = new Map<T, T>();
  for (const [symptom, cause] of direct) {
    let root = cause;
    // Chains are short (two rules); the bound only guards against a cycle of equal certainties.
    for (let i = 0; i < ranked.length && direct.has(root) && direct.get(root) !== symptom; i++) root = direct.get(root) as T;
    if (root !== symptom) roots.set(symptom, root);
  }
  return roots;
}
