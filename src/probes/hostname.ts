import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function hostname(): ProbeCommand {
  return defineProbe({ argv: ['hostname'], parser: 'hostname', timeoutMs: SHORT_MS, needsRoot: false });
}
