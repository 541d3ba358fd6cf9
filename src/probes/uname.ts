// OS detection first: a realserver need not be Linux, and then the Linux probes skip.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function uname(): ProbeCommand {
  return defineProbe({ argv: ['uname', '-s', '-r'], parser: 'uname', timeoutMs: SHORT_MS, needsRoot: false });
}
