import { describe, expect, it } from 'vitest';
import { GraphError, validateGraph } from '../../src/engine/graph.js';
import type { CheckDefinition } from '../../src/engine/check-definition.js';
import { CHECKS } from '../../checks/index.js';

function check(id: string, needs: string[] = [], question: CheckDefinition['question'] = 'setup'): CheckDefinition {
  return { id, question, title: id, needs, probes: [], evaluate: () => ({ verdict: 'pass', summary: id, evidence: [], fixes: [] }) };
}

describe('check graph validation', () => {
  it('orders dependencies first', () => {
    const order = validateGraph([check('b', ['a'], 'q3-director'), check('a')]).map((c) => c.id);
    expect(order).toEqual(['a', 'b']);
  });
  it('refuses an unknown dependency', () => {
    expect(() => validateGraph([check('a', ['nope'])])).toThrow(/needs unknown check 'nope'/);
  });
  it('refuses a cycle and names it', () => {
    expect(() => validateGraph([check('a', ['b']), check('b', ['a'])])).toThrow(GraphError);
    expect(() => validateGraph([check('a', ['b']), check('b', ['a'])])).toThrow(/cycle: a -> b -> a|cycle: b -> a -> b/);
  });
  it('refuses a duplicate id', () => {
    expect(() => validateGraph([check('a'), check('a')])).toThrow(/duplicate check id 'a'/);
  });
  it('accepts the real graph', () => {
    expect(validateGraph(CHECKS)).toHaveLength(CHECKS.length);
  });
});
