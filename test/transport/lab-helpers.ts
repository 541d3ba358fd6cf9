// Shared by the transport/probes lab tests: a lab under our own prefix, and its topology.
import { existsSync } from 'node:fs';
import type { Topology } from '../../src/model/topology.js';

export const LAB_PREFIX = 'tp';

/** Why lab tests cannot run here, or null. On CI (root, lab code present) they always run. */
export function labSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'lab tests need root (network namespaces, sshd)';
  if (!existsSync(new URL('../../src/lab/index.ts', import.meta.url))) return 'the lab (src/lab) is not in this checkout yet';
  return null;
}

export interface LabLike {
  service: { vip: string; vport: number };
  dip: string;
  ext: string;
  int: string;
  cip: string;
  realservers: { name: string; rip: string; rport: number }[];
}

export function labTopology(info: LabLike): Topology {
  const ssh = (host: string) => ({ host });
  return {
    service: { protocol: 'TCP', vip: info.service.vip, vport: info.service.vport },
    director: { name: 'director', role: 'director', access: 'ssh', ssh: ssh('director'), ext: info.ext, int: info.int, dip: info.dip },
    client: { name: 'client', role: 'client', access: 'ssh', ssh: ssh('client'), cip: info.cip },
    realservers: info.realservers.map((r) => ({ name: r.name, role: 'realserver' as const, access: 'ssh' as const, ssh: ssh(r.name), rip: r.rip, rport: r.rport })),
  };
}
