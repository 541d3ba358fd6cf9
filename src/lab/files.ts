// Files the lab writes for the doctor and for people: ssh config, known_hosts, wrapper, inventories.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabPlan, PlannedHost } from './plan.js';

export interface LabPaths {
  dir: string;
  sshConfig: string;
  sshWrapper: string;
  knownHosts: string;
  identityFile: string;
  authorizedKeys: string;
  inventory: string;
  inventoryOnenet: string;
  home: string;
  hostDir(host: string): string;
}

export function labPaths(dir: string): LabPaths {
  return {
    dir,
    sshConfig: join(dir, 'ssh_config'),
    sshWrapper: join(dir, 'ssh'),
    knownHosts: join(dir, 'known_hosts'),
    identityFile: join(dir, 'id_ed25519'),
    authorizedKeys: join(dir, 'authorized_keys'),
    inventory: join(dir, 'inventory.yaml'),
    inventoryOnenet: join(dir, 'inventory-onenet.yaml'),
    home: join(dir, 'home'),
    hostDir: (host: string) => join(dir, 'hosts', host),
  };
}

/** The hosts a person or the doctor logs into (ops is where the doctor runs, it has no sshd). */
export function sshHosts(plan: LabPlan): PlannedHost[] {
  return plan.hosts.filter((h) => h.role !== 'ops');
}

export function sshdConfig(paths: LabPaths, host: PlannedHost): string {
  const dir = paths.hostDir(host.name);
  return [
    `ListenAddress ${host.mgmtAddress}`,
    'Port 22',
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // Keys live under /run or /tmp, whose modes sshd's owner checks would refuse.
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    // The doctor runs many probes at once over one ControlMaster.
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

/**
 * One `Host` block of a lab's ssh_config: the lab's own key and known_hosts, strict host keys,
 * batch mode. `where` says how to reach the host (HostName, Port...), `extra` what follows.
 */
export function sshHostBlock(paths: LabPaths, name: string, where: readonly string[], extra: readonly string[] = []): string {
  return [
    `Host ${name}`,
    ...where.map((l) => `  ${l}`),
    '  User root',
    `  IdentityFile ${paths.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${paths.knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  LogLevel ERROR',
    ...extra.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

export function writeSshClientFiles(paths: LabPaths, plan: LabPlan, hostKeys: Map<string, string>): void {
  const known = sshHosts(plan).map((h) => `${h.name},${h.mgmtAddress} ${hostKeys.get(h.name)?.trim()}`);
  writeFileSync(paths.knownHosts, `${known.join('\n')}\n`);
  const blocks = sshHosts(plan).map((h) => sshHostBlock(paths, h.name, [`HostName ${h.mgmtAddress}`]));
  writeFileSync(paths.sshConfig, `# written by lvs-doctor lab up (prefix ${plan.prefix}); reach these hosts from netns ${plan.prefix}-ops\n${blocks.join('\n')}`);
  writeFileSync(
    paths.sshWrapper,
    `#!/bin/sh\n# ssh into the lab '${plan.prefix}' from the root namespace, through its ops namespace\nexec ip netns exec ${plan.prefix}-ops ssh -F ${paths.sshConfig} "$@"\n`,
  );
  chmodSync(paths.sshWrapper, 0o755);
}

function rsLines(plan: LabPlan): string[] {
  return plan.realservers.map((rs) => `  - { name: ${rs.name}, ssh: { host: ${rs.name} }, rip: ${rs.rip}, rport: ${rs.rport} }`);
}

export function writeInventories(paths: LabPaths, plan: LabPlan): void {
  const head = (comment: string): string[] => [
    `# written by lvs-doctor lab up (prefix ${plan.prefix})${comment}`,
    `sshConfig: ${paths.sshConfig}`,
    `service: { protocol: TCP, vip: ${plan.vip}, vport: ${plan.vport} }`,
  ];
  const twoNet = [
    ...head(''),
    `director: { name: director, ssh: { host: director }, ext: ${plan.ext}, int: ${plan.int}, dip: ${plan.dip} }`,
    `client: { name: client, ssh: { host: client }, cip: ${plan.cip} }`,
    'realservers:',
    ...rsLines(plan),
    '',
  ];
  const oneNet = [
    ...head(': one-network NAT, the client sits on the realserver wire'),
    `director: { name: director, ssh: { host: director }, ext: ${plan.int}, int: ${plan.int}, dip: ${plan.dip} }`,
    `client: { name: lanclient, ssh: { host: lanclient }, cip: ${plan.lanclient} }`,
    'realservers:',
    ...rsLines(plan),
    '',
  ];
  writeFileSync(paths.inventory, twoNet.join('\n'));
  writeFileSync(paths.inventoryOnenet, oneNet.join('\n'));
}
