import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

/** The IPv4 neighbour table: which realservers' MACs the director holds (src/engine/before-connection.ts). */
export function ipNeigh(): ProbeCommand {
  return defineProbe({ argv: ['ip', '-4', 'neigh', 'show'], parser: 'ip-neigh', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
