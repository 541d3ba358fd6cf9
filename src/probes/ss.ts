import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function ssListen(): ProbeCommand {
  return defineProbe({ argv: ['ss', '-ltn'], parser: 'ss', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
