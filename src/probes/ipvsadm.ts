// ipvsadm listings. Non-zero exits are data: "Can't initialize ipvs", "No such service".
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

function listing(extra: string[]): ProbeCommand {
  return defineProbe({ argv: ['ipvsadm', ...extra], parser: 'ipvsadm', timeoutMs: SHORT_MS, needsRoot: true, acceptNonZeroExit: true, linuxOnly: true });
}

export const ipvsadmList = (): ProbeCommand => listing(['-Ln']);
export const ipvsadmStats = (): ProbeCommand => listing(['-Ln', '--stats']);
export const ipvsadmRate = (): ProbeCommand => listing(['-Ln', '--rate']);
export const ipvsadmConnections = (): ProbeCommand => listing(['-Lnc']);
export const ipvsadmTimeout = (): ProbeCommand => listing(['-Ln', '--timeout']);
