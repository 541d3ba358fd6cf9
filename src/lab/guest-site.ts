// The real-IPVS lab's site, built inside the qemu guest: the same plan (namespaces, bridges,
// addresses, routes) as the netns lab, a kernel IPVS director instead of netfilter NAT, one
// sshd per host, and the guest's own ops namespace forwarding one port per sshd from qemu's
// restricted user network (10.0.2.15) to that host's management address.
import type { LabPlan, PlannedHost } from './plan.js';
import { labPaths, sshHosts, sshdConfig } from './files.js';
import { bridgeBatch, hostSetupScript, wiringBatch } from './hosts.js';
import { ipvsScript } from './ipvs.js';

/** Where the lab's files live inside the guest (packed into the job archive). */
export const GUEST_LAB_DIR = '/lab';
/** qemu user networking's fixed guest address. */
export const GUEST_ADDRESS = '10.0.2.15';
/** The control sshd (the guest's ops namespace) is guest port 22; host i of sshHosts is CONTROL_PORT + 1 + i. */
export const CONTROL_PORT = 2200;

export function hostPort(plan: LabPlan, name: string): number {
  const index = sshHosts(plan).findIndex((h) => h.name === name);
  if (index < 0) throw new Error(`no ssh host ${name}`);
  return CONTROL_PORT + 1 + index;
}

export const guestPaths = labPaths(GUEST_LAB_DIR);

function opsHost(plan: LabPlan): PlannedHost {
  const ops = plan.hosts.find((h) => h.role === 'ops');
  if (!ops) throw new Error('plan without ops host');
  return ops;
}

/** The control sshd listens on qemu's side only; from it the lab runs `ip netns exec` in any namespace. */
export function controlSshdConfig(plan: LabPlan): string {
  return sshdConfig(guestPaths, opsHost(plan)).replace(/^ListenAddress .*$/m, `ListenAddress ${GUEST_ADDRESS}`);
}

/** Reads the request's head, then answers with the file $1; with $2, that many seconds later
 * (a realserver that thinks longer than the director's TCP timeout: director.untranslated-leak). */
const RESPONDER =
  'CR=$(printf \'\\r\')\nwhile IFS= read -r line; do\n  case $line in ""|"$CR") break ;; esac\ndone\n[ -z "$2" ] || sleep "$2"\nexec cat "$1"\n';

function heredoc(file: string, text: string): string {
  return `cat > ${file} <<'LVSEOF'\n${text}${text.endsWith('\n') ? '' : '\n'}LVSEOF`;
}

function sshdLine(netns: string, name: string, config: string): string {
  // Own UTS namespace: `hostname` answers the lab's name for this host.
  return `ip netns exec ${netns} unshare --uts -- sh -c 'hostname ${name}; exec /usr/sbin/sshd -D -e -f ${config}' >> ${GUEST_LAB_DIR}/hosts/${name}/sshd.log 2>&1 &`;
}

/** The guest's /job/lab.sh: wiring, hosts, IPVS, forwards, daemons; prints `ipvs-vm: lab ready`. */
export function guestLabScript(plan: LabPlan): string {
  const ops = opsHost(plan);
  const lines: string[] = [
    '#!/bin/bash',
    '# Written by lvs-doctor lab up --ipvs. Runs once as the guest boots.',
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'exec > /dev/ttyS0 2>&1',
    'set -e',
    'for m in veth bridge ip_vs ip_vs_rr ip_vs_wrr nf_conntrack nf_nat iptable_nat iptable_filter iptable_mangle iptable_raw; do modprobe $m || echo "no module $m"; done',
    'mkdir -p /run/sshd /var/run/netns',
    `ip -batch - <<'LVSEOF'\n${wiringBatch(plan)}LVSEOF`,
    `ip -n ${plan.bridgeNetns} -batch - <<'LVSEOF'\n${bridgeBatch(plan)}LVSEOF`,
  ];
  for (const h of plan.hosts) lines.push(`ip netns exec ${h.netns} sh -ec '${hostSetupScript(plan, h).replace(/'/g, `'\\''`)}'`);
  // qemu's side: eth0 moves into ops, which forwards one port per sshd and nothing else.
  const forwards = sshHosts(plan).map(
    (h) => `iptables -t nat -A PREROUTING -i eth0 -d ${GUEST_ADDRESS} -p tcp --dport ${hostPort(plan, h.name)} -j DNAT --to-destination ${h.mgmtAddress}:22`,
  );
  lines.push(
    `ip link set eth0 netns ${ops.netns}`,
    `ip -n ${ops.netns} addr add ${GUEST_ADDRESS}/24 dev eth0`,
    `ip -n ${ops.netns} link set eth0 up`,
    `ip netns exec ${ops.netns} sh -ec '`,
    'echo 1 > /proc/sys/net/ipv4/ip_forward',
    'iptables -P FORWARD DROP',
    'iptables -A FORWARD -m conntrack --ctstate DNAT,ESTABLISHED,RELATED -j ACCEPT',
    ...forwards,
    `iptables -t nat -A POSTROUTING -o ${plan.mgmtIf} -j MASQUERADE`,
    `'`,
    `ip netns exec ${sshHosts(plan).find((h) => h.role === 'director')?.netns} sh -ec '${ipvsScript(plan, { service: true, weights: new Map() }).replace(/'/g, `'\\''`)}'`,
  );
  for (const h of [ops, ...sshHosts(plan)]) lines.push(`mkdir -p ${guestPaths.hostDir(h.name)}`);
  lines.push(`mkdir -p ${guestPaths.home}`, 'chmod 600 /lab/hosts/*/ssh_host_ed25519_key');
  lines.push(`ip netns exec ${ops.netns} /usr/sbin/sshd -e -f ${guestPaths.hostDir('ops')}/sshd_config >> ${GUEST_LAB_DIR}/hosts/ops/sshd.log 2>&1`);
  for (const h of sshHosts(plan)) lines.push(sshdLine(h.netns, h.name, `${guestPaths.hostDir(h.name)}/sshd_config`));
  for (const rs of plan.realservers) {
    const host = plan.hosts.find((h) => h.name === rs.name);
    if (!host) continue;
    const dir = guestPaths.hostDir(rs.name);
    const body = `${rs.name}\n`;
    lines.push(
      `printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: ${body.length}\\r\\nConnection: close\\r\\n\\r\\n${rs.name}\\n' > ${dir}/response.http`,
      heredoc(`${dir}/responder.sh`, RESPONDER),
      `ip netns exec ${host.netns} socat -T5 TCP-LISTEN:${rs.rport},fork,reuseaddr EXEC:"sh ${dir}/responder.sh ${dir}/response.http" >> ${dir}/responder.log 2>&1 &`,
    );
  }
  lines.push(`echo "ipvs-vm: lab ready after $(cut -d' ' -f1 /proc/uptime) s"`, '');
  return lines.join('\n');
}

/** Files of the job archive besides lab.sh: sshd configs (keys are copied by the caller). */
export function guestSshdConfigs(plan: LabPlan): Map<string, string> {
  const files = new Map<string, string>();
  files.set(`hosts/ops/sshd_config`, controlSshdConfig(plan));
  for (const h of sshHosts(plan)) files.set(`hosts/${h.name}/sshd_config`, sshdConfig(guestPaths, h));
  return files;
}
