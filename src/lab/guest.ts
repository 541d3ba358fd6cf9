// The real-IPVS lab's guest on this machine's side: the cached image (scripts/ipvs-vm/build.sh),
// qemu under TCG in the lab's ops namespace (loopback only), its restricted user network with
// one host forward per sshd bound to 127.0.0.1, and the lab's own ssh ControlMaster into it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, type LabPlan } from './plan.js';
import { sshHostBlock, sshHosts, type LabPaths } from './files.js';
import { CONTROL_PORT, GUEST_ADDRESS, guestLabScript, guestSshdConfigs, hostPort } from './guest-site.js';
import { execCommand, shQuote, sleep, type ExecOptions, type ExecResult } from './proc.js';
import { packageRoot } from '../util/package-root.js';
import type { LabInfo, LabState } from './state.js';
import { LAB_FWMARK } from './ipvs.js';

/** TCG is slow: a fresh ssh handshake takes about 1.2 s, a loaded guest much more. */
export const GUEST_CONNECT_TIMEOUT_S = 30;
const BOOT_TIMEOUT_MS = Number(process.env.LVS_DOCTOR_IPVS_BOOT_TIMEOUT_MS ?? 300_000);
const BUILD_TIMEOUT_MS = 40 * 60_000;
export const GUEST_MEMORY_MIB = 1024;

/** Builds the guest or finds it in the cache; returns its directory (vmlinuz, base.cpio). */
export async function ensureGuestImage(log: (line: string) => void = () => undefined): Promise<string> {
  const script = join(packageRoot(), 'scripts', 'ipvs-vm', 'build.sh');
  if (!existsSync(script)) throw new LabError(`the real-IPVS lab needs ${script}`);
  for (const tool of ['qemu-system-x86_64', 'debootstrap', 'cpio']) {
    const found = await execCommand(['sh', '-c', `command -v ${tool}`], { allowFailure: true });
    if (found.exitCode !== 0) throw new LabError(`the real-IPVS lab needs ${tool} (apt-get install qemu-system-x86 debootstrap cpio)`);
  }
  const started = Date.now();
  const result = await execCommand(['bash', script], { timeoutMs: BUILD_TIMEOUT_MS, allowFailure: true });
  const guest = /^GUEST=(.+)$/m.exec(result.stdout)?.[1];
  if (result.exitCode !== 0 || !guest) {
    throw new LabError(`building the guest failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  log(`guest image ${guest} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return guest;
}

function controlSshOptions(paths: LabPaths): string[] {
  return ['-F', paths.sshConfig];
}

/** The host side's ssh config: one entry per lab host on its forwarded port, plus `guest` (control). */
export function writeGuestSshClientFiles(paths: LabPaths, plan: LabPlan, hostKeys: Map<string, string>, controlPath: string): void {
  const entries = [{ name: 'guest', port: CONTROL_PORT }, ...sshHosts(plan).map((h) => ({ name: h.name, port: hostPort(plan, h.name) }))];
  writeFileSync(paths.knownHosts, `${entries.map((e) => `${e.name} ${hostKeys.get(e.name)?.trim()}`).join('\n')}\n`);
  const blocks = entries.map((e) =>
    sshHostBlock(paths, e.name, ['HostName 127.0.0.1', `Port ${e.port}`, `HostKeyAlias ${e.name}`], [
      `ConnectTimeout ${GUEST_CONNECT_TIMEOUT_S}`,
      'ServerAliveInterval 15',
      ...(e.name === 'guest' ? [`ControlPath ${controlPath}`, 'ControlMaster no'] : []),
    ]),
  );
  writeFileSync(
    paths.sshConfig,
    `# written by lvs-doctor lab up --ipvs (prefix ${plan.prefix}); qemu forwards these ports on 127.0.0.1 of netns ${plan.prefix}-ops\n${blocks.join('\n')}`,
  );
  writeFileSync(
    paths.sshWrapper,
    `#!/bin/sh\n# ssh into the real-IPVS lab '${plan.prefix}' from the root namespace, through its ops namespace\nexec ip netns exec ${plan.prefix}-ops ssh -F ${paths.sshConfig} "$@"\n`,
  );
  chmodSync(paths.sshWrapper, 0o755);
}

/** The job archive appended to the cached initramfs: /job/lab.sh and /lab (keys, sshd configs). */
async function writeInitrd(plan: LabPlan, paths: LabPaths, image: string): Promise<string> {
  const job = join(paths.dir, 'guest-job');
  rmSync(job, { recursive: true, force: true });
  mkdirSync(join(job, 'job'), { recursive: true });
  writeFileSync(join(job, 'job', 'lab.sh'), guestLabScript(plan), { mode: 0o755 });
  for (const [file, text] of guestSshdConfigs(plan)) {
    mkdirSync(join(job, 'lab', file, '..'), { recursive: true });
    writeFileSync(join(job, 'lab', file), text);
  }
  for (const h of ['ops', ...sshHosts(plan).map((x) => x.name)]) {
    copyFileSync(join(paths.hostDir(h), 'ssh_host_ed25519_key'), join(job, 'lab', 'hosts', h, 'ssh_host_ed25519_key'));
  }
  copyFileSync(paths.authorizedKeys, join(job, 'lab', 'authorized_keys'));
  const initrd = join(paths.dir, 'initrd.cpio');
  // Concatenated newc archives are one initramfs to the kernel.
  await execCommand(['sh', '-ec', `cd ${shQuote(job)} && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet > ../job.cpio && cat ${shQuote(join(image, 'base.cpio'))} ../job.cpio > ${shQuote(initrd)} && rm -f ../job.cpio`], { timeoutMs: 120_000 });
  rmSync(job, { recursive: true, force: true });
  return initrd;
}

export function qemuArgv(plan: LabPlan, image: string, initrd: string, consoleFile: string): string[] {
  const forwards = [`hostfwd=tcp:127.0.0.1:${CONTROL_PORT}-${GUEST_ADDRESS}:22`, ...sshHosts(plan).map((h) => `hostfwd=tcp:127.0.0.1:${hostPort(plan, h.name)}-${GUEST_ADDRESS}:${hostPort(plan, h.name)}`)];
  return [
    'qemu-system-x86_64',
    '-nodefaults', '-no-user-config',
    // KVM does not work on these machines; TCG with a large translation cache does.
    // One vCPU: with two, a guest on a loaded 2-core host hung twice in ksoftirqd (soft lockup,
    // "timer wakeup didn't happen"), and one vCPU thread leaves the other core to the host.
    '-accel', 'tcg,tb-size=256', '-cpu', 'max', '-smp', '1', '-m', String(GUEST_MEMORY_MIB),
    '-kernel', join(image, 'vmlinuz'), '-initrd', initrd,
    '-append', 'console=ttyS0 panic=-1 quiet rdinit=/init',
    // restrict=on: the guest reaches nothing outside; only the forwards on 127.0.0.1 reach it.
    '-netdev', `user,id=n0,restrict=on,${forwards.join(',')}`, '-device', 'virtio-net-pci,netdev=n0',
    '-no-reboot', '-display', 'none', '-monitor', 'none', '-serial', `file:${consoleFile}`,
  ];
}

function consoleTail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-8).join(' | ') : '(no console output)';
}

/** Waits for the guest to say its site is up, then opens the lab's ControlMaster; returns its PID. */
export async function waitForGuest(paths: LabPaths, state: LabState, isRunning: () => boolean): Promise<number> {
  const guest = state.guest;
  if (!guest) throw new LabError('no guest');
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  for (;;) {
    const text = existsSync(guest.console) ? readFileSync(guest.console, 'utf8') : '';
    if (text.includes('ipvs-vm: lab ready')) break;
    if (/ipvs-vm: lab exit/.test(text)) throw new LabError(`the guest's site setup failed: ${consoleTail(guest.console)}`);
    if (!isRunning()) throw new LabError(`qemu exited: ${consoleTail(guest.console)}`);
    if (Date.now() > deadline) throw new LabError(`the guest was not up after ${BOOT_TIMEOUT_MS / 1000} s: ${consoleTail(guest.console)}`);
    await sleep(500);
  }
  const ops = `${state.info.prefix}-ops`;
  let last = '';
  while (Date.now() < deadline) {
    const open = await execCommand(
      ['ip', 'netns', 'exec', ops, 'ssh', ...controlSshOptions(paths), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=yes', '-fN', 'guest'],
      { allowFailure: true, timeoutMs: (GUEST_CONNECT_TIMEOUT_S + 10) * 1000 },
    );
    if (open.exitCode === 0) {
      const check = await execCommand(['ip', 'netns', 'exec', ops, 'ssh', ...controlSshOptions(paths), '-O', 'check', 'guest'], { allowFailure: true });
      const pid = /pid=(\d+)/.exec(check.stderr + check.stdout)?.[1];
      if (pid) return Number(pid);
      last = check.stderr.trim();
    } else {
      last = open.stderr.trim();
    }
    await sleep(1000);
  }
  throw new LabError(`no ssh into the guest: ${last}`);
}

/** Runs a shell script in one of the guest's namespaces, over the lab's ControlMaster. */
export function guestShell(state: LabState, netns: string, script: string, options: ExecOptions = {}): Promise<ExecResult> {
  return guestExec(state, ['ip', 'netns', 'exec', netns, 'sh', '-ec', script], options);
}

export function guestExec(state: LabState, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const paths = { sshConfig: state.info.sshConfig } as LabPaths;
  return execCommand(['ip', 'netns', 'exec', state.info.opsNetns, 'ssh', ...controlSshOptions(paths), 'guest', '--', argv.map(shQuote).join(' ')], {
    ...options,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

export async function prepareGuestBoot(plan: LabPlan, paths: LabPaths, image: string): Promise<{ argv: string[]; console: string }> {
  const initrd = await writeInitrd(plan, paths, image);
  const consoleFile = join(paths.dir, 'console.log');
  writeFileSync(consoleFile, '');
  return { argv: qemuArgv(plan, image, initrd, consoleFile), console: consoleFile };
}

/** The doctor's kept masters for an ipvs lab: inside the lab's directory, so `lab down` removes them. */
export function guestSocketDir(info: LabInfo): string {
  return join(info.dir, 'sockets');
}

/** The inventory for a firewall-mark service (client.fwmark-unmarked): the plain one plus `fwmark`. */
export function fwmarkInventory(info: LabInfo): string {
  return join(info.dir, 'inventory-fwmark.yaml');
}

export function writeFwmarkInventory(info: LabInfo): void {
  const text = readFileSync(info.inventory, 'utf8').replace(/^service: \{ (.*) \}$/m, `service: { $1, fwmark: ${LAB_FWMARK} }`);
  writeFileSync(fwmarkInventory(info), text.replace(/^# written by lvs-doctor lab up \(prefix (\w+)\)/m, '# written by lvs-doctor lab up --ipvs (prefix $1): the service as firewall-mark service'));
}
