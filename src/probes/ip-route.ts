import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

/** Every table: policy routing puts the realserver's return route outside `main`. */
export function ipRouteAll(): ProbeCommand {
  return defineProbe({ argv: ['ip', 'route', 'show', 'table', 'all'], parser: 'ip-route', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
