// What a running lab is: the public LabInfo others read, and the private bookkeeping
// (PIDs it started, active faults) that `down` and `fault --revert` need.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { LabRole, NatBackend } from './plan.js';

export interface LabHostInfo {
  name: string;
  netns: string;
  mgmtAddress: string;
  role: LabRole;
  /** Addresses with prefix length, management address excluded. */
  addresses: string[];
}

export interface LabInfo {
  prefix: string;
  /** State directory: keys, configs, logs, state.json. */
  dir: string;
  nat: NatBackend;
  /** Where the site runs: network namespaces on this machine with netfilter NAT standing in for
   * IPVS ('netns', also when absent), or namespaces inside a qemu guest with kernel IPVS ('ipvs'). */
  backend?: LabBackend;
  opsNetns: string;
  sshConfig: string;
  /** Executable: `ip netns exec <ops> ssh -F <sshConfig> "$@"`, usable as an ssh binary from the root namespace. */
  sshWrapper: string;
  knownHosts: string;
  identityFile: string;
  inventory: string;
  /** Inventory for one-network NAT: the client is `lanclient` on the realserver wire. */
  inventoryOnenet: string;
  hosts: LabHostInfo[];
  service: { protocol: 'TCP'; vip: string; vport: number };
  realservers: { name: string; rip: string; rport: number }[];
  dip: string;
  /** Director interface names. */
  ext: string;
  int: string;
  cip: string;
  /** The one-network client's address (on the realserver wire, another subnet). */
  lanclient: string;
  /** The director's address the one-network client routes the VIP through. */
  onenetGateway: string;
  /** The bypass router's address on the realserver LAN. */
  routerLan: string;
}

export type LabBackend = 'netns' | 'ipvs';

export type DaemonKind = 'sshd' | 'responder' | 'watcher' | 'qemu' | 'ssh-master';

export interface DaemonRecord {
  host: string;
  kind: DaemonKind;
  pid: number;
}

export interface ActiveFault {
  id: string;
  target?: string;
  variant?: string;
}

export interface LabState {
  info: LabInfo;
  daemons: DaemonRecord[];
  faults: ActiveFault[];
  /** The realserver every connection is sent to while a fault needs it, or null for round robin. */
  pinned: string | null;
  createdAt: string;
  /** The real-IPVS lab's guest (backend 'ipvs'). */
  guest?: GuestState;
}

export interface GuestState {
  /** The cached guest it booted (kernel, initramfs). */
  image: string;
  /** The lab's own ControlMaster to the guest's control sshd (faults, health, exec). */
  controlPath: string;
  console: string;
}

const RUN_BASE = '/run/lvs-doctor-lab';

export function stateDir(prefix: string): string {
  try {
    if (existsSync(RUN_BASE)) accessSync(RUN_BASE, constants.W_OK);
    else accessSync('/run', constants.W_OK);
    return join(RUN_BASE, prefix);
  } catch {
    return `/tmp/lvs-doctor-lab-${prefix}`;
  }
}

export function stateFile(prefix: string): string {
  return join(stateDir(prefix), 'state.json');
}

export function readState(prefix: string): LabState | null {
  const file = stateFile(prefix);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as LabState;
}

export function writeState(state: LabState): void {
  mkdirSync(state.info.dir, { recursive: true });
  const file = stateFile(state.info.prefix);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function readLabInfo(prefix: string): LabInfo | null {
  return readState(prefix)?.info ?? null;
}
