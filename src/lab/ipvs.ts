// The real-IPVS lab's director: kernel IPVS configured with ipvsadm, edited in place (never
// flushed) so that the connection table and counters keep their history across faults.
import type { LabPlan } from './plan.js';
import { SECOND_SERVICE_PORT } from './nat.js';

/** Packets to VIP:VPORT get this mark when the service is a firewall-mark service. */
export const LAB_FWMARK = 7;

export interface IpvsSetup {
  /** false: no virtual service VIP:VPORT (the second service VIP:443 stays). */
  service: boolean;
  /** Weight per realserver name; a realserver not listed has weight 1. */
  weights: Map<string, number>;
  /** Forwarding method per realserver name; not listed = masquerading (-m). */
  forwarding?: Map<string, 'g' | 'i' | 'm'>;
  /** Serve VIP:VPORT as firewall-mark service LAB_FWMARK instead of a TCP service. */
  fwmark?: boolean;
  /** Keep the mangle rule that marks the client's packets (false: the fwmark service sees none). */
  markRule?: boolean;
  /** Realservers removed from the service (as a health checker's `ipvsadm -d` does). */
  absent?: Set<string>;
}

export function tcpService(plan: LabPlan): string {
  return `-t ${plan.vip}:${plan.vport}`;
}

function markRule(plan: LabPlan): string {
  return `PREROUTING -d ${plan.vip} -p tcp --dport ${plan.vport} -m comment --comment lvs-doctor-lab-fwmark -j MARK --set-mark ${LAB_FWMARK}`;
}

/** A shell script for the director's namespace (in the guest) that brings IPVS to `setup`. */
export function ipvsScript(plan: LabPlan, setup: IpvsSetup): string {
  const lines = ['set +e'];
  const second = `-t ${plan.vip}:${SECOND_SERVICE_PORT}`;
  const rs1 = plan.realservers[0];
  lines.push(`ipvsadm -Ln ${second} >/dev/null 2>&1 || { ipvsadm -A ${second} -s rr && ipvsadm -a ${second} -r ${rs1.rip}:${rs1.rport} -m -w 1; }`);
  const fw = `-f ${LAB_FWMARK}`;
  const wanted = setup.service ? (setup.fwmark ? fw : tcpService(plan)) : null;
  for (const svc of [tcpService(plan), fw]) if (svc !== wanted) lines.push(`ipvsadm -D ${svc} 2>/dev/null`);
  lines.push(`while iptables -t mangle -D ${markRule(plan)} 2>/dev/null; do :; done`);
  if (wanted) {
    lines.push(`ipvsadm -Ln ${wanted} >/dev/null 2>&1 || ipvsadm -A ${wanted} -s rr`);
    for (const rs of plan.realservers) {
      if (setup.absent?.has(rs.name)) {
        lines.push(`ipvsadm -d ${wanted} -r ${rs.rip}:${rs.rport} 2>/dev/null`);
        continue;
      }
      const weight = setup.weights.get(rs.name) ?? 1;
      const method = setup.forwarding?.get(rs.name) ?? 'm';
      const dest = `${wanted} -r ${rs.rip}:${rs.rport} -${method} -w ${weight}`;
      lines.push(`ipvsadm -e ${dest} 2>/dev/null || ipvsadm -a ${dest}`);
    }
    if (setup.fwmark && setup.markRule !== false) lines.push(`iptables -t mangle -A ${markRule(plan)}`);
  }
  lines.push('exit 0');
  return lines.join('\n');
}
