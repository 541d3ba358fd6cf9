// An event sequence as the engine yields it for a given result (run-start, probes, checks,
// hops, run-end), so frames can be rendered step by step without timers.
import type { RunEvent } from '../../src/model/events.js';
import type { ResultDocument } from '../../src/model/result.js';

export function eventsFor(result: ResultDocument): RunEvent[] {
  const events: RunEvent[] = [
    {
      type: 'run-start',
      at: result.startedAt,
      service: result.service,
      hosts: result.hosts.map((h) => ({ name: h.name, role: h.role, access: h.access })),
      checks: result.checks.map((c) => ({ id: c.id, question: c.question, title: c.title, needs: [] })),
    },
    { type: 'phase', phase: 'probes' },
  ];
  for (const h of result.hosts.filter((x) => x.status === 'reachable')) {
    events.push({ type: 'probe-start', host: h.name, key: 'ip-addr', command: 'ip -o addr' });
    events.push({ type: 'probe-end', host: h.name, key: 'ip-addr', command: 'ip -o addr', ok: true, durationMs: 9 });
  }
  events.push({ type: 'phase', phase: 'test-connection' }, { type: 'hops', hops: result.hops }, { type: 'phase', phase: 'checks' });
  for (const c of result.checks) events.push({ type: 'check-start', id: c.id }, { type: 'check-end', result: c });
  events.push({ type: 'run-end', result });
  return events;
}
