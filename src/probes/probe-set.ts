// The standard probe set for a topology: what the check graph asks of each host before the
// test connection. The bench and the lab tests run exactly this.
import type { Topology } from '../model/topology.js';
import { conntrackList } from './conntrack.js';
import { hostname } from './hostname.js';
import { ipAddr } from './ip-addr.js';
import { ipLink } from './ip-link.js';
import { ipRouteGet } from './ip-route-get.js';
import { ipRouteAll } from './ip-route.js';
import { ipRule } from './ip-rule.js';
import { iptablesSave } from './iptables-save.js';
import { ipvsadmConnections, ipvsadmList, ipvsadmRate, ipvsadmStats, ipvsadmTimeout } from './ipvsadm.js';
import { procModules } from './modules.js';
import { nftRuleset } from './nft.js';
import { nstat } from './nstat.js';
import { ping } from './ping.js';
import { procIpVs } from './proc-ip-vs.js';
import type { ProbeRequest } from './runner.js';
import { ssListen } from './ss.js';
import { sysctlProbe } from './sysctl.js';
import { traceroute } from './traceroute.js';
import { uname } from './uname.js';

export interface ProbeSetOptions {
  /** Ping and traceroute from each realserver to the client (Q.1, Q.2). Needs the CIP. */
  paths?: boolean;
}

export function probeSetFor(t: Topology, options: ProbeSetOptions = {}): ProbeRequest[] {
  const common = [uname, hostname, ipAddr, ipLink, ipRouteAll, ipRule, nstat];
  const d = t.director;
  const requests: ProbeRequest[] = [];
  const add = (host: string, probe: ProbeRequest['probe']): void => void requests.push({ host, probe });

  if (d.access !== 'none') {
    common.forEach((p) => add(d.name, p));
    [ipvsadmList, ipvsadmStats, ipvsadmRate, ipvsadmConnections, ipvsadmTimeout, iptablesSave, nftRuleset, conntrackList, procModules].forEach((p) => add(d.name, p));
    (['ip_vs', 'ip_vs_conn', 'ip_vs_stats'] as const).forEach((f) => add(d.name, () => procIpVs(f)));
    add(d.name, () => sysctlProbe([d.ext, d.int].filter((x): x is string => Boolean(x))));
    const cip = t.client.cip;
    if (cip && d.int) add(d.name, () => ipRouteGet({ to: cip, from: t.service.vip, iif: d.int }));
  }
  for (const rs of t.realservers) {
    if (rs.access === 'none') continue;
    common.forEach((p) => add(rs.name, p));
    [ssListen, iptablesSave, () => sysctlProbe()].forEach((p) => add(rs.name, p));
    const cip = t.client.cip;
    if (cip) {
      add(rs.name, () => ipRouteGet({ to: cip, from: rs.rip }));
      if (options.paths) {
        add(rs.name, () => ping(rs.rip, cip));
        add(rs.name, () => traceroute(rs.rip, cip));
      }
    }
  }
  return requests;
}

