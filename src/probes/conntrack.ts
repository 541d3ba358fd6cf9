// Where a netfilter-NAT director keeps what IPVS would show in `ipvsadm -Lnc`.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function conntrackList(): ProbeCommand {
  return defineProbe({ argv: ['conntrack', '-L'], parser: 'conntrack', timeoutMs: SHORT_MS, needsRoot: true, linuxOnly: true });
}
