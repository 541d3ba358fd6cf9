import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function ipRule(): ProbeCommand {
  return defineProbe({ argv: ['ip', 'rule'], parser: 'ip-rule', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
