// The TUI's state: a pure reducer over the engine's events (reduce) and over the keys the
// user presses (applyKey). The views read only this, so frames are reproducible in tests.
import type { CheckResult, QuestionId } from '../model/check.js';
import type { PlannedCheck, RunEvent } from '../model/events.js';
import type { Hop } from '../model/hops.js';
import type { ResultDocument } from '../model/result.js';
import type { PreviousStatus } from '../model/baseline.js';

export interface HostProgress {
  name: string;
  role: string;
  access: string;
  started: number;
  done: number;
  failed: number;
  /** The command running now (the last one started and not yet ended). */
  current?: string;
  lastError?: string;
}

export interface ViewState {
  status: 'waiting' | 'running' | 'done';
  startedAt?: string;
  service?: { protocol: string; vip: string; vport: number };
  planned: PlannedCheck[];
  hosts: HostProgress[];
  phase?: string;
  phaseDetail?: string;
  running: string[];
  /** Finished checks in the order they finished (the <Static> log). */
  finished: CheckResult[];
  hops: Hop[];
  result: ResultDocument | null;
  /** Index into navigableChecks(state). */
  cursor: number;
  expanded: string[];
  showFixes: boolean;
  /** First row of the finished run's scrolling part that is on screen (src/ui/screen.tsx). */
  scroll: number;
  /** Counts runs (r re-runs): a new run starts a new <Static> log. */
  runCount: number;
  /** The fix panel (`f` on a diagnosis): the plan, the confirmation, the outcome. */
  fix: FixPanel | null;
  /** How the run before this one ended (set by `r`): the finished screen shows the transition. */
  previous?: PreviousStatus;
}

/** planning and applying wait for the write path; confirm waits for `y`; done for any key. */
export interface FixPanel {
  diagnosis: string;
  phase: 'planning' | 'confirm' | 'applying' | 'done';
  lines: string[];
}

export const initialState: ViewState = {
  status: 'waiting',
  planned: [],
  hosts: [],
  running: [],
  finished: [],
  hops: [],
  result: null,
  cursor: 0,
  expanded: [],
  showFixes: true,
  scroll: 0,
  runCount: 0,
  fix: null,
};

function updateHost(hosts: HostProgress[], name: string, change: (h: HostProgress) => HostProgress): HostProgress[] {
  const known = hosts.some((h) => h.name === name);
  const list = known ? hosts : [...hosts, { name, role: '?', access: '?', started: 0, done: 0, failed: 0 }];
  return list.map((h) => (h.name === name ? change(h) : h));
}

export function reduce(state: ViewState, event: RunEvent): ViewState {
  switch (event.type) {
    case 'run-start':
      return {
        ...initialState,
        runCount: state.runCount + 1,
        ...(state.previous ? { previous: state.previous } : {}),
        status: 'running',
        startedAt: event.at,
        service: event.service,
        planned: event.checks,
        hosts: event.hosts.map((h) => ({ ...h, started: 0, done: 0, failed: 0 })),
      };
    case 'probe-start':
      return { ...state, hosts: updateHost(state.hosts, event.host, (h) => ({ ...h, started: h.started + 1, current: event.command })) };
    case 'probe-end':
      return {
        ...state,
        hosts: updateHost(state.hosts, event.host, (h) => ({
          ...h,
          done: h.done + 1,
          failed: h.failed + (event.ok ? 0 : 1),
          current: h.current === event.command ? undefined : h.current,
          lastError: event.ok ? h.lastError : (event.error ?? `${event.command} failed`),
        })),
      };
    case 'phase':
      return { ...state, phase: event.phase, phaseDetail: event.detail };
    case 'check-start':
      return state.running.includes(event.id) ? state : { ...state, running: [...state.running, event.id] };
    case 'check-end':
      return {
        ...state,
        running: state.running.filter((id) => id !== event.result.id),
        finished: [...state.finished.filter((c) => c.id !== event.result.id), event.result],
      };
    case 'hops':
      return { ...state, hops: event.hops };
    case 'run-end': {
      const result = event.result;
      // finished stays append-only (it feeds <Static>, which prints each item once): checks the
      // result holds but no event announced are added at the end.
      const announced = new Set(state.finished.map((c) => c.id));
      const finished = [...state.finished, ...result.checks.filter((c) => !announced.has(c.id))];
      const done: ViewState = { ...state, status: 'done', running: [], finished, hops: result.hops, result, cursor: 0, expanded: [], scroll: 0 };
      return { ...done, cursor: firstDiagnosisCursor(done) };
    }
  }
}

const QUIET: ReadonlySet<string> = new Set(['pass', 'skip']);

/**
 * The checks the user can move over after the run: those that did not pass; on a healthy run,
 * all of them (so enter shows what each one proved).
 */
export function navigableChecks(state: ViewState): CheckResult[] {
  const checks = state.result?.checks ?? state.finished;
  const problems = checks.filter((c) => !QUIET.has(c.verdict));
  return problems.length ? problems : checks;
}

/** The cursor starts on the check that named the first diagnosis (a root cause), else on the first check. */
function firstDiagnosisCursor(state: ViewState): number {
  const first = state.result?.diagnoses.find((d) => d.explainedBy === undefined);
  const at = first ? navigableChecks(state).findIndex((c) => c.id === first.check) : -1;
  return Math.max(0, at);
}

export type LogItem = { kind: 'question'; question: QuestionId } | { kind: 'check'; check: CheckResult };

/** The <Static> log: finished checks, with a question heading whenever the question changes. */
export function logItems(finished: CheckResult[]): LogItem[] {
  const items: LogItem[] = [];
  let last: QuestionId | null = null;
  for (const check of finished) {
    if (check.question !== last) items.push({ kind: 'question', question: check.question });
    last = check.question;
    items.push({ kind: 'check', check });
  }
  return items;
}

/** The diagnosis named by the check under the cursor (its root cause first), or null. */
export function selectedDiagnosis(state: ViewState): string | null {
  const check = navigableChecks(state)[state.cursor];
  const named = state.result?.diagnoses.filter((d) => d.check === check?.id) ?? [];
  return (named.find((d) => d.explainedBy === undefined) ?? named[0])?.id ?? null;
}

export type UiKey = 'up' | 'down' | 'toggle' | 'fixes';

export function applyKey(state: ViewState, key: UiKey): ViewState {
  const list = navigableChecks(state);
  switch (key) {
    case 'up':
      return { ...state, cursor: Math.max(0, state.cursor - 1) };
    case 'down':
      return { ...state, cursor: Math.max(0, Math.min(list.length - 1, state.cursor + 1)) };
    case 'toggle': {
      const id = list[state.cursor]?.id;
      if (id === undefined) return state;
      const expanded = state.expanded.includes(id) ? state.expanded.filter((e) => e !== id) : [...state.expanded, id];
      return { ...state, expanded };
    }
    case 'fixes':
      return { ...state, showFixes: !state.showFixes };
  }
}
