// A live run with a hundred hosts promotes ~35 MiB of short-lived objects (outputs, parsed
// tables, child-process bookkeeping) to V8's old generation, and V8 waits until the old
// generation is ~40 MiB before its first full collection, by which time it holds ~20 MiB of
// garbage: the run peaked at 105-111 MiB resident for ~27 MiB of live heap (BENCHMARKS.md,
// "100 realservers: processes per realserver and memory"). This asks for a full collection
// each time the heap has grown by a step since the last one, once it is past a floor. A run of
// a few hosts never reaches the floor and never pays for one.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapGovernorOptions {
  /** No collection is asked for below this heap use (bytes). */
  floorBytes: number;
  /** Growth of the heap since the last collection that asks for the next one (bytes). */
  stepBytes: number;
  /** How often the heap is looked at. */
  intervalMs: number;
  heapUsed: () => number;
  collect: () => void;
}

export interface HeapGovernor {
  /** Looks at the heap once (the timer calls this). */
  check(): void;
  stop(): void;
  readonly collections: number;
}

const MiB = 2 ** 20;
export const DEFAULT_HEAP_FLOOR = 20 * MiB;
export const DEFAULT_HEAP_STEP = 10 * MiB;

/** The governor's decision alone, on whatever heap reader and collector it is given. */
export function heapGovernor(options: HeapGovernorOptions): HeapGovernor {
  let afterLast = 0;
  let collections = 0;
  let timer: NodeJS.Timeout | null = null;
  const governor: HeapGovernor = {
    check() {
      const used = options.heapUsed();
      if (used < options.floorBytes || used - afterLast < options.stepBytes) return;
      options.collect();
      collections++;
      afterLast = options.heapUsed();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    get collections() {
      return collections;
    },
  };
  timer = setInterval(() => governor.check(), options.intervalMs);
  // Never what keeps the process alive.
  timer.unref();
  return governor;
}

/** V8's full collection, made callable at run time (the flag alone does not reach a running context). */
export function fullCollection(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

let started: HeapGovernor | null = null;

/** Once per process: live runs call it; without a collector (an embedder forbids it), nothing. */
export function governHeap(): void {
  if (started) return;
  const collect = fullCollection();
  if (!collect) return;
  started = heapGovernor({ floorBytes: DEFAULT_HEAP_FLOOR, stepBytes: DEFAULT_HEAP_STEP, intervalMs: 250, heapUsed: () => getHeapStatistics().used_heap_size, collect });
}
