// Load-time validation of the check graph: an unknown dependency, a cycle or a duplicate id is
// a programming error caught before anything runs, and the order of evaluation comes from here.
import { QUESTIONS } from '../model/check.js';
import type { CheckDefinition } from './check-definition.js';

export class GraphError extends Error {
  override readonly name = 'GraphError';
}

/** Returns the checks in an order where every dependency comes first (question order kept where free). */
export function validateGraph(checks: readonly CheckDefinition[]): CheckDefinition[] {
  const byId = new Map<string, CheckDefinition>();
  for (const check of checks) {
    if (byId.has(check.id)) throw new GraphError(`duplicate check id '${check.id}'`);
    if (!(QUESTIONS as readonly string[]).includes(check.question)) {
      throw new GraphError(`check '${check.id}' has unknown question '${check.question}'`);
    }
    byId.set(check.id, check);
  }
  for (const check of checks) {
    for (const dep of [...check.needs, ...(check.softNeeds ?? [])]) {
      if (!byId.has(dep)) throw new GraphError(`check '${check.id}' needs unknown check '${dep}'`);
      if (dep === check.id) throw new GraphError(`check '${check.id}' needs itself`);
    }
  }
  const order: CheckDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (check: CheckDefinition, path: string[]): void => {
    const s = state.get(check.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new GraphError(`dependency cycle: ${[...path, check.id].join(' -> ')}`);
    state.set(check.id, 'visiting');
    for (const dep of [...check.needs, ...(check.softNeeds ?? [])]) visit(byId.get(dep)!, [...path, check.id]);
    state.set(check.id, 'done');
    order.push(check);
  };
  const questionRank = (c: CheckDefinition): number => QUESTIONS.indexOf(c.question);
  for (const check of [...checks].sort((a, b) => questionRank(a) - questionRank(b))) visit(check, []);
  return order;
}
