// The live TUI: consumes the engine's events into a store (outside React, so the run goes on
// and its result survives whatever happens to the UI), renders App over it, handles keys.
// If Ink fails, the text report is printed instead: the result is never hidden.
import { render, useApp, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { RunEvent } from '../model/events.js';
import type { ResultDocument } from '../model/result.js';
import { formatFixCommands } from '../report/fixes.js';
import { formatText } from '../report/text.js';
import { App } from './App.js';
import { applyKey, initialState, reduce, selectedDiagnosis } from './state.js';
import { followSelection, scrollPage } from './screen.js';
import { formatPartial } from './partial.js';
import type { UiKey, ViewState } from './state.js';
import { displaySafe } from '../report/untrusted-text.js';
import { statusOf } from '../report/baseline-words.js';

export interface TuiOptions {
  noColor: boolean;
  /** Starts a fresh run for `r`; without it the key is not offered. */
  rerun?: () => AsyncIterable<RunEvent>;
  /** The write path for `f` (a live run only); without it the key is not offered. */
  fix?: TuiFixer;
  /** For tests and embedding; default process.stdout / process.stdin. */
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** What `f` asks of the write path (src/commands/fix.ts provides it): lines to show, already escaped. */
export interface TuiFixer {
  /** Reads the current state and builds the plan; apply is absent when the fix is refused. */
  plan(result: ResultDocument, diagnosis: string): Promise<{ lines: string[]; apply?: () => Promise<{ lines: string[]; ok: boolean }>; cancel?: () => Promise<void> }>;
}

/** NO_COLOR (no-color.org): present and not empty turns colour off, as does --no-color. */
export function colorEnabled(noColor: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return !noColor && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

class Store {
  private state: ViewState = initialState;
  private readonly listeners = new Set<() => void>();
  readonly get = (): ViewState => this.state;
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  update(change: (s: ViewState) => ViewState): void {
    this.state = change(this.state);
    for (const l of this.listeners) l();
  }
}

type Outcome = 'quit' | 'copy' | 'interrupted';

interface LiveProps {
  store: Store;
  color: boolean;
  canRerun: boolean;
  startedAtMs: () => number;
  onOutcome: (o: Outcome) => void;
  onRerun: () => void;
  canFix: boolean;
  /** `f`: plan the fix of the selected diagnosis; `y` applies it; any other key closes the panel. */
  onFix: (diagnosis: string | null) => void;
  onFixKey: (input: string) => void;
}

const TICK_MS = 120;

/** The terminal's size, followed through its 'resize' events. */
function useTerminalSize(): { width: number; height: number | undefined } {
  const { stdout } = useStdout();
  const read = () => ({ width: stdout.columns > 0 ? stdout.columns : 80, height: stdout.rows > 0 ? stdout.rows : undefined });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}

function Live({ store, color, canRerun, startedAtMs, onOutcome, onRerun, canFix, onFix, onFixKey }: LiveProps) {
  const state = useSyncExternalStore(store.subscribe, store.get);
  const { width, height } = useTerminalSize();
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const [tick, setTick] = useState(0);
  const done = state.status === 'done';

  useEffect(() => {
    if (done) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), TICK_MS);
    return () => clearInterval(timer);
  }, [done]);

  // Without a keyboard (stdin not a TTY) nobody can press q: leave when the run is over.
  useEffect(() => {
    if (done && !isRawModeSupported) {
      onOutcome('quit');
      exit();
    }
  }, [done, isRawModeSupported, exit, onOutcome]);

  useInput(
    (input, key) => {
      // Moving or opening a check scrolls it into view; pages scroll the body alone.
      const move = (k: UiKey) => store.update((s) => followSelection(applyKey(s, k), width, height));
      const page = (direction: 1 | -1) => store.update((s) => scrollPage(s, direction, width, height));
      if (key.ctrl && input === 'c') {
        // Ink's own Ctrl-C exit would leave without a word; this one prints what was seen.
        onOutcome('interrupted');
        exit();
      } else if (state.fix) onFixKey(input);
      else if (input === 'q' || key.escape) {
        onOutcome('quit');
        exit();
      } else if (input === 'c' && done) {
        onOutcome('copy');
        exit();
      } else if (input === 'r' && done && canRerun) onRerun();
      else if (key.upArrow || input === 'k') move('up');
      else if (key.downArrow || input === 'j') move('down');
      else if (key.return) move('toggle');
      else if (input === 'f' && done && canFix) onFix(selectedDiagnosis(state));
      else if (input === 's') move('fixes');
      else if (key.pageDown || input === ' ') page(1);
      else if (key.pageUp || input === 'b') page(-1);
    },
    { isActive: isRawModeSupported === true },
  );

  const elapsedMs = done && state.result ? state.result.durationMs : Math.max(0, Date.now() - startedAtMs());
  return <App state={state} elapsedMs={elapsedMs} tick={tick} color={color} width={width} height={height} canRerun={canRerun} canFix={canFix} />;
}

/**
 * Renders the run live and waits for the user to quit. Resolves with the last run's result
 * (null when the user quit before a run ended). `c` leaves the UI and prints the fix commands.
 */
export async function runTui(events: AsyncIterable<RunEvent>, opts: TuiOptions): Promise<ResultDocument | null> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const store = new Store();
  let startedAt = Date.now();
  // Mutated from callbacks, so kept in one object (TypeScript would narrow plain lets to their initial value).
  const run: { result: ResultDocument | null; outcome: Outcome; stop: boolean; generation: number; error: unknown } = {
    result: null,
    outcome: 'quit',
    stop: false,
    generation: 0,
    error: null,
  };

  const consume = async (source: AsyncIterable<RunEvent>, mine: number): Promise<void> => {
    for await (const untrusted of source) {
      // Everything the UI shows comes through here (see untrusted-text.ts).
      const event = displaySafe(untrusted);
      if (mine !== run.generation || run.stop) break;
      if (event.type === 'run-start') startedAt = Date.now();
      if (event.type === 'run-end') run.result = event.result;
      store.update((s) => reduce(s, event));
    }
  };

  let closeUi: (() => void) | null = null;
  const start = (source: AsyncIterable<RunEvent>): Promise<void> =>
    consume(source, run.generation).catch((e: unknown) => {
      // The engine failed: leave the UI so the caller can report the error.
      run.error = e;
      closeUi?.();
    });
  let running = start(events);

  const onRerun = () => {
    if (!opts.rerun) return;
    run.generation += 1;
    run.result = null;
    run.error = null;
    // The run being replaced is remembered: the new one ends with "was CRITICAL (...), now OK".
    store.update((s) => {
      const previous = s.result ? statusOf(s.result) : s.previous;
      return { ...initialState, runCount: s.runCount, ...(previous ? { previous } : {}) };
    });
    running = start(opts.rerun());
  };

  // The fix panel: one plan at a time; its apply is kept here, outside the view state.
  const fixing: { apply: (() => Promise<{ lines: string[]; ok: boolean }>) | null; cancel: (() => Promise<void>) | null } = { apply: null, cancel: null };
  const setPanel = (panel: ViewState['fix']): void => store.update((s) => ({ ...s, fix: panel }));
  const onFix = (diagnosis: string | null): void => {
    const result = run.result;
    if (!opts.fix || !result) return;
    if (!diagnosis) {
      setPanel({ diagnosis: '(none)', phase: 'done', lines: ['The selected check names no diagnosis: move to a failed check first.'] });
      return;
    }
    setPanel({ diagnosis, phase: 'planning', lines: [] });
    opts.fix.plan(result, diagnosis).then(
      (p) => {
        fixing.apply = p.apply ?? null;
        fixing.cancel = p.cancel ?? null;
        setPanel({ diagnosis, phase: p.apply ? 'confirm' : 'done', lines: p.lines });
      },
      (e: unknown) => setPanel({ diagnosis, phase: 'done', lines: [`cannot plan the fix: ${e instanceof Error ? e.message : String(e)}`] }),
    );
  };
  const onFixKey = (input: string): void => {
    const panel = store.get().fix;
    if (!panel || panel.phase === 'planning' || panel.phase === 'applying') return;
    const apply = fixing.apply;
    fixing.apply = null;
    if (panel.phase === 'confirm' && input === 'y' && apply) {
      setPanel({ ...panel, phase: 'applying' });
      apply().then(
        (o) => setPanel({ ...panel, phase: 'done', lines: [...panel.lines, '', ...o.lines] }),
        (e: unknown) => setPanel({ ...panel, phase: 'done', lines: [...panel.lines, '', `the fix failed: ${e instanceof Error ? e.message : String(e)}`] }),
      );
      return;
    }
    if (panel.phase === 'confirm') void fixing.cancel?.();
    setPanel(null);
  };

  // Ink writes frames until the process exits (its exit hook draws once more). A terminal that
  // refuses a write (EPIPE: the user's terminal is gone) must end the UI once, not throw again
  // from every later frame or from that exit hook: the guard keeps the first error and drops
  // the frames after it.
  const terminal: { error: unknown; failed: (() => void) | null } = { error: null, failed: null };
  const guarded = guardWrites(stdout, (error) => {
    if (terminal.error !== null) return;
    terminal.error = error;
    terminal.failed?.();
  });

  let uiFailed: unknown = null;
  try {
    const instance = render(
      <Live
        store={store}
        color={colorEnabled(opts.noColor)}
        canRerun={opts.rerun !== undefined}
        startedAtMs={() => startedAt}
        onOutcome={(o) => {
          run.outcome = o;
        }}
        onRerun={onRerun}
        canFix={opts.fix !== undefined}
        onFix={onFix}
        onFixKey={onFixKey}
      />,
      { stdout: guarded, stdin, exitOnCtrlC: false, patchConsole: false },
    );
    closeUi = () => instance.unmount();
    terminal.failed = () => instance.unmount();
    if (run.error !== null || terminal.error !== null) instance.unmount();
    await instance.waitUntilExit();
  } catch (error) {
    uiFailed = error;
  }
  if (uiFailed === null && terminal.error !== null) uiFailed = terminal.error;

  if (uiFailed !== null) {
    // The UI broke; the run did not. Let it finish and show its result as plain text.
    await running;
    if (run.error !== null) throw run.error;
    const why = uiFailed instanceof Error ? uiFailed.message : String(uiFailed);
    stdout.write(`lvs-doctor: the terminal UI failed (${why}); plain report follows\n${run.result ? formatText(run.result) : ''}`);
    return run.result;
  }
  run.stop = true;
  if (run.error !== null) throw run.error;
  if (run.outcome === 'copy' && run.result) stdout.write(`\n${formatFixCommands(run.result)}`);
  // Left before the run ended: say what was seen rather than nothing.
  if (!run.result && run.outcome !== 'copy') stdout.write(`\n${formatPartial(store.get(), run.outcome === 'interrupted' ? 'interrupted' : 'quit')}`);
  return run.result;
}

/**
 * The same stream, but a write that throws is reported once and every write after it is
 * dropped: Ink never sees the terminal's error, the caller does.
 */
function guardWrites(stream: NodeJS.WriteStream, onError: (error: unknown) => void): NodeJS.WriteStream {
  let broken = false;
  const write = (...args: Parameters<NodeJS.WriteStream['write']>): boolean => {
    if (broken) return true;
    try {
      return (stream.write as (...a: unknown[]) => boolean)(...args);
    } catch (error) {
      broken = true;
      onError(error);
      return true;
    }
  };
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
