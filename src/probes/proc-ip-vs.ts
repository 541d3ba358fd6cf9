// /proc/net/ip_vs* read with cat: the same tables without needing ipvsadm installed.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';
import { systemPath } from './validate.js';

const PARSERS = { ip_vs: 'proc-ip-vs', ip_vs_conn: 'proc-ip-vs-conn', ip_vs_stats: 'proc-ip-vs-stats' } as const;

export type ProcIpVsFile = keyof typeof PARSERS;

export function procIpVs(file: ProcIpVsFile): ProbeCommand {
  const parser = PARSERS[file];
  if (!parser) throw new Error(`unknown /proc/net file ${file}`);
  return defineProbe({ argv: ['cat', systemPath(`/proc/net/${file}`)], parser, timeoutMs: SHORT_MS, needsRoot: false, linuxOnly: true });
}
