import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function iptablesSave(): ProbeCommand {
  return defineProbe({ argv: ['iptables-save', '-c'], parser: 'iptables-save', timeoutMs: SHORT_MS, needsRoot: true, linuxOnly: true });
}
