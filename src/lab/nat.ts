// The director's load balancing: netfilter DNAT standing in for IPVS (this kernel has none).
// Round robin by `statistic --mode nth` cascades (iptables) or `numgen inc` (nft).
import type { LabPlan, NatBackend, PlannedRealserver } from './plan.js';

export interface NatSetup {
  /** false: the virtual service does not exist at all (no rule matches VIP:VPORT). */
  service: boolean;
  /** The realservers that get connections; empty = the service exists with no usable realserver. */
  backends: PlannedRealserver[];
}

const CHAIN = 'LVSLAB';
const INPUT_CHAIN = 'LVSLAB-IN';

/** A shell script for the director's namespace that replaces the lab's NAT rules as a whole. */
export function natScript(plan: LabPlan, backend: NatBackend, setup: NatSetup): string {
  return backend === 'nft' ? nftScript(plan, setup) : iptablesScript(plan, setup);
}

function serviceMatch(plan: LabPlan): string {
  return `-d ${plan.vip} -p tcp --dport ${plan.vport}`;
}

/** A second virtual service that every fault leaves alone, as a real director has several:
 * without it, removing VIP:VPORT would leave no balancer at all (director.ipvs-unavailable). */
export const SECOND_SERVICE_PORT = 443;

function secondServiceTarget(plan: LabPlan): string {
  const rs = plan.realservers[0];
  return `${rs.rip}:${rs.rport}`;
}

function iptablesScript(plan: LabPlan, setup: NatSetup): string {
  const n = setup.backends.length;
  const natRules = setup.backends.map((rs, i) => {
    // Rule i takes every (n-i)th of the connections the rules before it left over: exact round robin.
    const nth = i < n - 1 ? `-m statistic --mode nth --every ${n - i} --packet 0 ` : '';
    return `-A ${CHAIN} -p tcp ${nth}-j DNAT --to-destination ${rs.rip}:${rs.rport}`;
  });
  // IPVS answers "port unreachable" when no realserver has weight; the lab does the same.
  const inputRules = setup.service && n === 0 ? [`-A ${INPUT_CHAIN} ${serviceMatch(plan)} -j REJECT --reject-with icmp-port-unreachable`] : [];
  const restore = ['*nat', `:${CHAIN} - [0:0]`, ...natRules, 'COMMIT', '*filter', `:${INPUT_CHAIN} - [0:0]`, ...inputRules, 'COMMIT', ''].join('\n');
  // Only packets addressed to a local VIP are balanced, as IPVS only sees packets that reach LOCAL_IN.
  const jump = `PREROUTING ${serviceMatch(plan)} -m addrtype --dst-type LOCAL -j ${CHAIN}`;
  return [
    `iptables-restore --noflush <<'EOF'\n${restore}EOF`,
    `while iptables -t nat -D ${jump} 2>/dev/null; do :; done`,
    setup.service ? `iptables -t nat -A ${jump}` : ':',
    `iptables -t nat -C PREROUTING -d ${plan.vip} -p tcp --dport ${SECOND_SERVICE_PORT} -m addrtype --dst-type LOCAL -j DNAT --to-destination ${secondServiceTarget(plan)} 2>/dev/null || iptables -t nat -A PREROUTING -d ${plan.vip} -p tcp --dport ${SECOND_SERVICE_PORT} -m addrtype --dst-type LOCAL -j DNAT --to-destination ${secondServiceTarget(plan)}`,
    `iptables -C INPUT -j ${INPUT_CHAIN} 2>/dev/null || iptables -A INPUT -j ${INPUT_CHAIN}`,
  ].join('\n');
}

function nftScript(plan: LabPlan, setup: NatSetup): string {
  const n = setup.backends.length;
  const match = `ip daddr ${plan.vip} tcp dport ${plan.vport}`;
  const map = setup.backends.map((rs, i) => `${i} : ${rs.rip} . ${rs.rport}`).join(', ');
  const pre = setup.service && n > 0 ? `    ${match} fib daddr type local dnat ip addr . port to numgen inc mod ${n} map { ${map} }\n` : '';
  const input = setup.service && n === 0 ? `    ${match} reject with icmp type port-unreachable\n` : '';
  const ruleset = [
    'table ip lvslab',
    'delete table ip lvslab',
    'table ip lvslab {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `${pre}    ip daddr ${plan.vip} tcp dport ${SECOND_SERVICE_PORT} fib daddr type local dnat ip to ${secondServiceTarget(plan)}\n  }`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `${input}  }`,
    '}',
    '',
  ].join('\n');
  return `nft -f - <<'EOF'\n${ruleset}EOF`;
}
