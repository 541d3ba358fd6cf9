import { afterEach, describe, expect, it } from 'vitest';
import { fullCollection, heapGovernor, type HeapGovernor } from '../../src/util/heap-governor.js';

const MiB = 2 ** 20;
let governor: HeapGovernor | null = null;
afterEach(() => governor?.stop());

/** A heap that grows by what the test says and drops to `live` when collected. */
function fakeHeap(live: number): { used: number; collect: () => void; heapUsed: () => number } {
  const heap = {
    used: 0,
    collect: () => {
      heap.used = live;
    },
    heapUsed: () => heap.used,
  };
  return heap;
}

describe('heapGovernor', () => {
  it('asks for a collection only past the floor and once the heap grew a step since the last one', () => {
    const heap = fakeHeap(22 * MiB);
    governor = heapGovernor({ floorBytes: 20 * MiB, stepBytes: 10 * MiB, intervalMs: 60_000, heapUsed: heap.heapUsed, collect: heap.collect });
    // Below the floor: a run of a few hosts never pays for a collection.
    heap.used = 19 * MiB;
    governor.check();
    expect(governor.collections).toBe(0);
    // Past the floor, grown more than a step from nothing: collected, down to the live 22 MiB.
    heap.used = 25 * MiB;
    governor.check();
    expect(governor.collections).toBe(1);
    expect(heap.used).toBe(22 * MiB);
    // Grown less than a step since that collection: nothing.
    heap.used = 31 * MiB;
    governor.check();
    expect(governor.collections).toBe(1);
    // A step past what the last collection left: the next one.
    heap.used = 32 * MiB;
    governor.check();
    expect(governor.collections).toBe(2);
  });

  it('V8 full collection is callable at run time and frees what nothing holds', async () => {
    const gc = fullCollection();
    expect(gc).toBeTypeOf('function');
    let garbage: unknown[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    const ref = new WeakRef(garbage);
    garbage = null;
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc!();
    expect(ref.deref()).toBeUndefined();
  });
});
