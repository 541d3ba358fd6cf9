// The engine never prints: it yields these events, and every face (TUI, text, JSON stream,
// Nagios, Prometheus) consumes the same stream.
import type { CheckResult, QuestionId } from './check.js';
import type { Hop } from './hops.js';
import type { ResultDocument } from './result.js';

export interface PlannedCheck {
  id: string;
  question: QuestionId;
  title: string;
  needs: string[];
}

export type RunEvent =
  | { type: 'run-start'; at: string; service: { protocol: string; vip: string; vport: number }; hosts: { name: string; role: string; access: string }[]; checks: PlannedCheck[] }
  | { type: 'probe-start'; host: string; key: string; command: string }
  | { type: 'probe-end'; host: string; key: string; command: string; ok: boolean; durationMs: number; error?: string }
  | { type: 'phase'; phase: 'probes' | 'test-connection' | 'after' | 'checks'; detail?: string }
  | { type: 'check-start'; id: string }
  | { type: 'check-end'; result: CheckResult }
  | { type: 'hops'; hops: Hop[] }
  | { type: 'run-end'; result: ResultDocument };
