// Also maps SLL2 interface indexes (tcpdump -i any) to names.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function ipLink(): ProbeCommand {
  return defineProbe({ argv: ['ip', '-o', 'link'], parser: 'ip-link', timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
