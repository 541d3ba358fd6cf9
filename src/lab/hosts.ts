// Per-host network configuration and the daemons each host runs (sshd, the HTTP responder).
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LabPlan, PlannedHost, PlannedRealserver } from './plan.js';
import type { LabPaths } from './files.js';
import { LabError } from './plan.js';

/** Writes /proc/sys of the namespace the script runs in (per-netns for net.*). */
export function sysctlLines(values: Record<string, string | number>): string[] {
  return Object.entries(values).map(([key, value]) => `echo ${value} > /proc/sys/${key.replace(/\./g, '/')}`);
}

export function routeLines(plan: LabPlan, host: PlannedHost): string[] {
  switch (host.role) {
    case 'client':
      // The realserver LAN is routed through the director as it would be upstream, so that
      // Julian's Q.1/Q.2 (the realserver pings and traceroutes the client) can be answered.
      return [`ip route replace ${plan.vip}/32 via ${plan.directorExtAddress}`, `ip route replace ${plan.dip.replace(/\.\d+$/, '.0')}/24 via ${plan.directorExtAddress}`];
    case 'lanclient':
      return [`ip route replace ${plan.vip}/32 via ${plan.onenetGateway}`];
    case 'realserver':
      return [`ip route replace default via ${plan.dip}`];
    default:
      return [];
  }
}

export function baselineSysctls(host: PlannedHost): Record<string, number> {
  const common = { 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 };
  switch (host.role) {
    case 'director':
      return {
        ...common,
        'net.ipv4.ip_forward': 1,
        'net.ipv4.conf.all.send_redirects': 0,
        'net.ipv4.conf.default.send_redirects': 0,
        [`net.ipv4.conf.${host.links[0].ifname}.send_redirects`]: 0,
        [`net.ipv4.conf.${host.links[1].ifname}.send_redirects`]: 0,
      };
    case 'router':
      return { ...common, 'net.ipv4.ip_forward': 1 };
    default:
      return common;
  }
}

export function wiringBatch(plan: LabPlan): string {
  const lines = [plan.bridgeNetns, ...plan.hosts.map((h) => h.netns)].map((ns) => `netns add ${ns}`);
  // Both ends are created directly in their namespaces: nothing ever appears in the root namespace.
  for (const h of plan.hosts) {
    for (const l of h.links) lines.push(`link add name ${l.ifname} netns ${h.netns} type veth peer name ${l.port} netns ${plan.bridgeNetns}`);
  }
  return `${lines.join('\n')}\n`;
}

export function bridgeBatch(plan: LabPlan): string {
  const lines = ['link set lo up'];
  for (const net of ['ext', 'lan', 'mgmt']) lines.push(`link add br-${net} type bridge`, `link set br-${net} up`);
  for (const h of plan.hosts) for (const l of h.links) lines.push(`link set ${l.port} master br-${l.net}`, `link set ${l.port} up`);
  return `${lines.join('\n')}\n`;
}

export function hostSetupScript(plan: LabPlan, host: PlannedHost): string {
  const batch = ['link set lo up'];
  for (const link of host.links) {
    for (const cidr of link.cidrs) batch.push(`addr add ${cidr} dev ${link.ifname}`);
    batch.push(`link set ${link.ifname} up`);
  }
  return [
    `ip -batch - <<'EOF'\n${batch.join('\n')}\nEOF`,
    ...sysctlLines(baselineSysctls(host)),
    ...routeLines(plan, host),
  ].join('\n');
}

export function spawnDetached(argv: string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new LabError(`cannot start ${argv.join(' ')}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * sshd runs in its own UTS namespace (so `hostname` answers the lab name) and mount namespace,
 * where /root is an empty directory: no heavy ~/.bashrc slows each command down.
 * `ip netns exec` and `unshare` exec without forking, so the PID returned is sshd's.
 */
export function startSshd(paths: LabPaths, host: PlannedHost): number {
  const dir = paths.hostDir(host.name);
  const config = join(dir, 'sshd_config');
  const script = `mount --bind ${paths.home} /root && hostname ${host.name} && exec /usr/sbin/sshd -D -e -f ${config}`;
  return spawnDetached(['ip', 'netns', 'exec', host.netns, 'unshare', '--uts', '--', 'sh', '-c', script], join(dir, 'sshd.log'));
}

/** A tiny HTTP responder answering its host name: socat forks a shell that reads the request
 * and then `cat`s a prepared response. */
export function startResponder(paths: LabPaths, host: PlannedHost, port: number): number {
  const dir = paths.hostDir(host.name);
  const body = `${host.name}\n`;
  const response = join(dir, 'response.http');
  const responder = join(dir, 'responder.sh');
  if (!existsSync(response)) {
    writeFileSync(
      response,
      `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  if (!existsSync(responder)) {
    // The request is read up to its blank line first: a socket closed with unread data sends a
    // RST, and a client that gets it drops the answer it had already received (measured: about
    // 1 curl in 100 exited 52, "empty reply", with a bare `cat`).
    writeFileSync(responder, 'CR=$(printf \'\\r\')\nwhile IFS= read -r line; do\n  case $line in ""|"$CR") break ;; esac\ndone\nexec cat "$1"\n');
  }
  // -T5: a client that connects and never sends its request does not hold a responder forever.
  return spawnDetached(
    ['ip', 'netns', 'exec', host.netns, 'socat', '-T5', `TCP-LISTEN:${port},fork,reuseaddr`, `EXEC:sh ${responder} ${response}`],
    join(dir, 'responder.log'),
  );
}

export function prepareHostDir(paths: LabPaths, host: PlannedHost): void {
  mkdirSync(paths.hostDir(host.name), { recursive: true });
}

export function realserverPort(plan: LabPlan, name: string): PlannedRealserver {
  const rs = plan.realservers.find((r) => r.name === name);
  if (!rs) throw new LabError(`'${name}' is not a realserver of this lab (${plan.realservers.map((r) => r.name).join(', ')})`);
  return rs;
}
