import type { Check } from '../ids.js';
import { directorTable, kernelVersion, sysctlNumber, sysctls } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// ipvs-sysctl.rst, conn_reuse_mode: a new connection from a client port whose old entry is
// still in TIME_WAIT is rescheduled (bit 1). Before Linux 5.9, when the old connection had a
// conntrack entry (net.ipv4.vs.conntrack=1), IPVS dropped that first SYN so conntrack could
// forget the old flow ("ipvs: drop first packet to redirect conntrack", f719e3754ee2): the
// client retransmits one second later. Clients that reuse source ports (busy proxies, load
// generators, kube-proxy's IPVS mode) then stall 1 s per connection; 5.9 reuses the entry
// when its conntrack is unconfirmed (kubernetes/kubernetes#93297, #102122). The real 6.1
// guest reschedules reused ports without a drop (fixtures/captures/ipvs-vm, job vs).
// The stall itself is reproduced nowhere: no kernel before 5.9 was reachable to build a guest
// (docs/faults.md); the warning is tested with the guest's sysctls and a real buster uname.
export const connReuse: Check = {
  id: 'setup.conn-reuse-mode',
  question: 'setup',
  title: 'New connections on a reused client port are not held up 1 s (conn_reuse_mode)',
  needs: ['setup.balancer-present'],
  probes: [{ role: 'director', probe: 'sysctl' }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const table = directorTable(facts, topology);
    if (!table || table.kind !== 'ipvs') return skip('conn_reuse_mode is an IPVS sysctl; this director does not balance with IPVS');
    const values = sysctls(facts, d);
    const mode = sysctlNumber(values, 'net.ipv4.vs.conn_reuse_mode');
    const conntrack = sysctlNumber(values, 'net.ipv4.vs.conntrack');
    if (values && mode === undefined) return skip(`${d} has no net.ipv4.vs.conn_reuse_mode (a kernel before 4.2): reused ports go back to their old realserver`);
    if (mode === undefined || conntrack === undefined) return unknown(`net.ipv4.vs.conn_reuse_mode and net.ipv4.vs.conntrack could not be read on ${d}`);
    if ((mode & 3) === 0) return pass(`net.ipv4.vs.conn_reuse_mode = ${mode}: a reused client port is not rescheduled, so not delayed (it keeps going to its previous realserver, even one with weight 0)`);
    if (conntrack === 0) return pass(`net.ipv4.vs.conn_reuse_mode = ${mode} with net.ipv4.vs.conntrack = 0: reused ports are rescheduled without dropping the first SYN`);
    const kernel = kernelVersion(facts, d);
    if (!kernel) return unknown(`the kernel release of ${d} is not known: whether reused ports stall 1 s (before 5.9) cannot be told`);
    if (kernel.major > 5 || (kernel.major === 5 && kernel.minor >= 9)) {
      return pass(`kernel ${kernel.release} (5.9 or later) reschedules a reused client port without dropping its first SYN (conn_reuse_mode = ${mode}, vs.conntrack = 1)`);
    }
    const vs = topology.service;
    return fault({ verdict: 'warn', fault: 'director.conn-reuse-stall', hosts: [d], summary: `kernel ${kernel.release} with net.ipv4.vs.conn_reuse_mode = ${mode} and net.ipv4.vs.conntrack = 1: a new connection from a client port still in the table (TIME_WAIT) loses its first SYN, so clients that reuse ports stall 1 s`, evidence: [
      facts.evidence(d, 'uname', undefined, 'before 5.9: the first SYN on a reused port is dropped'),
      facts.evidence(d, 'sysctl', (l) => /^net\.ipv4\.vs\.(conn_reuse_mode|conntrack) /.test(l)),
    ], fixes: [
      { host: d, commands: ['sysctl -w net.ipv4.vs.conntrack=0'], why: `the stall is the drop that lets conntrack forget the old flow; without conntrack or on 5.9+ there is no drop. Best: a kernel 5.9 or later (it reuses the entry instead of dropping the SYN); the command is safe only if no netfilter rule needs IPVS conntrack (see director.vs-conntrack-off); or sysctl -w net.ipv4.vs.conn_reuse_mode=0 (no stall, but a reused port keeps going to its old realserver of ${vs.vip}:${vs.vport}, even a removed one)` },
    ], certainty: 0.6 });
  },
};
