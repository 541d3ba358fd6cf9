import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function ipAddr(): ProbeCommand {
  return defineProbe({ argv: ['ip', '-o', 'addr'], parser: 'ip-addr', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
