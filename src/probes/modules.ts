// Loaded kernel modules (ip_vs, ip_vs_ftp, nf_nat): /proc/modules is what lsmod reads.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';
import { systemPath } from './validate.js';

export function procModules(): ProbeCommand {
  return defineProbe({ argv: ['cat', systemPath('/proc/modules')], parser: 'proc-modules', timeoutMs: SHORT_MS, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true });
}
