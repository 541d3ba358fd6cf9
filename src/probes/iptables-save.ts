import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function iptablesSave(): ProbeCommand {
  return defineProbe({ argv: ['iptables-save', '-c'], parser: 'iptables-save', timeoutMs: SHORT_MS, needsRoot: true, linuxOnly: true });
}

/** Only the mangle table, read again after the test connection: did a MARK rule count its packets? */
export function iptablesSaveMangle(): ProbeCommand {
  return defineProbe({ key: 'iptables-mangle-after', argv: ['iptables-save', '-c', '-t', 'mangle'], parser: 'iptables-save', timeoutMs: SHORT_MS, needsRoot: true, linuxOnly: true });
}
