// Absolute counters (-a) without touching nstat's shared history file (-s), zeros included (-z):
// deltas are computed by the doctor from two snapshots.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function nstat(): ProbeCommand {
  return defineProbe({ argv: ['nstat', '-asz'], parser: 'nstat', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
