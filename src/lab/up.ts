// Building a lab: namespaces, veths into bridges, addresses, routes, NAT, one sshd per host.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planLab, LabError, type LabPlan, type NatBackend } from './plan.js';
import { labPaths, sshHosts, sshdConfig, writeInventories, writeSshClientFiles, type LabPaths } from './files.js';
import { bridgeBatch, hostSetupScript, prepareHostDir, spawnDetached, startResponder, startSshd, wiringBatch } from './hosts.js';
import { natScript } from './nat.js';
import { execCommand, isAlive, mapLimit, netnsShell, sleep } from './proc.js';
import { readState, stateDir, writeState, type LabBackend, type LabInfo, type LabState } from './state.js';
import { ensureGuestImage, GUEST_CONNECT_TIMEOUT_S, prepareGuestBoot, waitForGuest, writeFwmarkInventory, writeGuestSshClientFiles } from './guest.js';
import { labNamespaces, teardown } from './down.js';
import { checkRoundRobin } from './health.js';

export interface LabUpOptions {
  prefix?: string;
  realservers?: number;
  nat?: NatBackend;
  /** 'ipvs': the site runs in a qemu guest with kernel IPVS (slow to boot, real IPVS). */
  backend?: LabBackend;
  log?: (line: string) => void;
}

const PARALLEL = 16;
/** Each realserver is a namespace with an sshd inside one emulated machine. */
export const MAX_GUEST_REALSERVERS = 10;

function labInfo(plan: LabPlan, paths: LabPaths, nat: NatBackend, backend: LabBackend): LabInfo {
  return {
    prefix: plan.prefix,
    dir: paths.dir,
    nat,
    backend,
    opsNetns: `${plan.prefix}-ops`,
    sshConfig: paths.sshConfig,
    sshWrapper: paths.sshWrapper,
    knownHosts: paths.knownHosts,
    identityFile: paths.identityFile,
    inventory: paths.inventory,
    inventoryOnenet: paths.inventoryOnenet,
    hosts: plan.hosts.map((h) => ({
      name: h.name,
      netns: h.netns,
      mgmtAddress: h.mgmtAddress,
      role: h.role,
      addresses: h.links.filter((l) => l.net !== 'mgmt').flatMap((l) => l.cidrs),
    })),
    service: { protocol: 'TCP', vip: plan.vip, vport: plan.vport },
    realservers: plan.realservers.map((r) => ({ ...r })),
    dip: plan.dip,
    ext: plan.ext,
    int: plan.int,
    cip: plan.cip,
    lanclient: plan.lanclient,
    onenetGateway: plan.onenetGateway,
    routerLan: plan.routerLan,
  };
}

export function assertCanBuild(): void {
  if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces, sshd, netfilter)');
  for (const tool of ['/usr/sbin/sshd', '/usr/bin/ssh-keygen']) {
    if (!existsSync(tool)) throw new LabError(`the lab needs ${tool} (apt-get install openssh-server)`);
  }
}

async function generateKeys(plan: LabPlan, paths: LabPaths, extraHosts: string[] = []): Promise<Map<string, string>> {
  const hosts = [...extraHosts, ...sshHosts(plan).map((h) => h.name)];
  const jobs = [
    { file: paths.identityFile, comment: `lvs-doctor-lab-${plan.prefix}` },
    ...hosts.map((h) => ({ file: join(paths.hostDir(h), 'ssh_host_ed25519_key'), comment: h })),
  ];
  await mapLimit(jobs, PARALLEL, (job) => execCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', job.comment, '-f', job.file]));
  writeFileSync(paths.authorizedKeys, readFileSync(`${paths.identityFile}.pub`, 'utf8'));
  const keys = new Map<string, string>();
  for (const h of hosts) {
    const pub = readFileSync(join(paths.hostDir(h), 'ssh_host_ed25519_key.pub'), 'utf8').split(' ');
    keys.set(h, `${pub[0]} ${pub[1]}`);
  }
  return keys;
}

async function waitForFiles(files: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing = files;
  while (missing.length > 0) {
    if (Date.now() > deadline) throw new LabError(`sshd did not start: no ${missing[0]} (see its sshd.log)`);
    await sleep(10);
    missing = missing.filter((f) => !existsSync(f));
  }
}

async function checkSsh(info: LabInfo, hosts: string[]): Promise<void> {
  const guest = info.backend === 'ipvs';
  await mapLimit(hosts, guest ? 4 : PARALLEL, async (host) => {
    const result = await execCommand(['ip', 'netns', 'exec', info.opsNetns, 'ssh', '-F', info.sshConfig, host, 'hostname'], {
      allowFailure: true,
      timeoutMs: guest ? (GUEST_CONNECT_TIMEOUT_S + 30) * 1000 : 15_000,
    });
    if (result.stdout.trim() !== host) {
      throw new LabError(`ssh ${host} from ${info.opsNetns} answered '${result.stdout.trim()}' (${result.stderr.trim()})`);
    }
  });
}

async function build(plan: LabPlan, nat: NatBackend, state: LabState, paths: LabPaths): Promise<void> {
  mkdirSync(paths.home, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (const h of plan.hosts) prepareHostDir(paths, h);
  const keys = generateKeys(plan, paths);
  await execCommand(['ip', '-batch', '-'], { input: wiringBatch(plan) });
  await execCommand(['ip', '-n', plan.bridgeNetns, '-batch', '-'], { input: bridgeBatch(plan) });
  await mapLimit(plan.hosts, PARALLEL, (h) => netnsShell(h.netns, hostSetupScript(plan, h)));
  const director = plan.hosts.find((h) => h.role === 'director');
  if (!director) throw new LabError('plan without director');
  await netnsShell(director.netns, natScript(plan, nat, { service: true, backends: plan.realservers }));
  const hostKeys = await keys;
  writeSshClientFiles(paths, plan, hostKeys);
  writeInventories(paths, plan);
  for (const h of sshHosts(plan)) {
    writeFileSync(join(paths.hostDir(h.name), 'sshd_config'), sshdConfig(paths, h));
    state.daemons.push({ host: h.name, kind: 'sshd', pid: startSshd(paths, h) });
  }
  for (const rs of plan.realservers) {
    const host = plan.hosts.find((h) => h.name === rs.name);
    if (host) state.daemons.push({ host: rs.name, kind: 'responder', pid: startResponder(paths, host, rs.rport) });
  }
  writeState(state);
  await waitForFiles(sshHosts(plan).map((h) => join(paths.hostDir(h.name), 'sshd.pid')), 15_000);
}

/** The real-IPVS site: the same plan, built by the guest itself as it boots (guest-site.ts). */
async function buildGuest(plan: LabPlan, state: LabState, paths: LabPaths, image: string): Promise<void> {
  for (const h of plan.hosts) prepareHostDir(paths, h);
  // The control sshd is the guest's ops host; the doctor's ssh config calls it `guest`.
  const hostKeys = await generateKeys(plan, paths, ['ops']);
  hostKeys.set('guest', hostKeys.get('ops') ?? '');
  const ops = state.info.opsNetns;
  // This machine's side of the lab is one namespace with loopback only: qemu's forwards live there.
  await execCommand(['ip', 'netns', 'add', ops]);
  await execCommand(['ip', '-n', ops, 'link', 'set', 'lo', 'up']);
  const controlPath = join(paths.dir, 'ctl.sock');
  writeGuestSshClientFiles(paths, plan, hostKeys, controlPath);
  writeInventories(paths, plan);
  writeFwmarkInventory(state.info);
  const boot = await prepareGuestBoot(plan, paths, image);
  const qemu = spawnDetached(['ip', 'netns', 'exec', ops, ...boot.argv], join(paths.dir, 'qemu.log'));
  state.daemons.push({ host: 'guest', kind: 'qemu', pid: qemu });
  state.guest = { image, controlPath, console: boot.console };
  writeState(state);
  const master = await waitForGuest(paths, state, () => isAlive(qemu));
  state.daemons.push({ host: 'guest', kind: 'ssh-master', pid: master });
  writeState(state);
}

export async function labUp(opts: LabUpOptions = {}): Promise<LabInfo> {
  const prefix = opts.prefix ?? 'lvs';
  const nat = opts.nat ?? 'iptables';
  if (nat !== 'iptables' && nat !== 'nft') throw new LabError(`--nat must be iptables or nft, got '${String(nat)}'`);
  const backend = opts.backend ?? 'netns';
  const plan = planLab(prefix, opts.realservers ?? 3);
  assertCanBuild();
  if (backend === 'ipvs' && plan.realservers.length > MAX_GUEST_REALSERVERS) {
    throw new LabError(`the real-IPVS lab takes at most ${MAX_GUEST_REALSERVERS} realservers`);
  }
  const dir = stateDir(prefix);
  if (readState(prefix) || existsSync(dir) || (await labNamespaces(prefix)).length > 0) {
    throw new LabError(`lab '${prefix}' is already up (or half-built): run \`lvs-doctor lab down --prefix ${prefix}\` first`);
  }
  // Built (or found in the cache) before anything exists: a failed build leaves no half lab.
  const image = backend === 'ipvs' ? await ensureGuestImage(opts.log) : '';
  const paths = labPaths(dir);
  const info = labInfo(plan, paths, nat, backend);
  const state: LabState = { info, daemons: [], faults: [], pinned: null, createdAt: new Date().toISOString() };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeState(state);
  try {
    if (backend === 'ipvs') await buildGuest(plan, state, paths, image);
    else await build(plan, nat, state, paths);
    // The responders were just spawned: give them until they listen (usually a few ms).
    let health = await checkRoundRobin(prefix, Math.min(plan.realservers.length, 20));
    for (let i = 0; i < 30 && !health.ok; i++) {
      await sleep(backend === 'ipvs' ? 1000 : 100);
      health = await checkRoundRobin(prefix, Math.min(plan.realservers.length, 20));
    }
    if (!health.ok) throw new LabError(`the lab came up unhealthy: ${health.reason} (served: ${health.servedBy.join(', ')})`);
    const sample = ['client', 'director', 'lanclient', 'router', ...plan.realservers.slice(0, 3).map((r) => r.name)];
    await checkSsh(info, plan.realservers.length <= 10 ? sshHosts(plan).map((h) => h.name) : sample);
  } catch (error) {
    await teardown(prefix);
    throw error;
  }
  return info;
}
