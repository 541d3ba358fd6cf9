// Tearing a lab down and proving nothing is left: namespaces, interfaces, processes, files.
import { existsSync, rmSync } from 'node:fs';
import { readState, stateDir } from './state.js';
import { execCommand, isAlive, sleep } from './proc.js';
import { LabError, validatePrefix } from './plan.js';

function labNamespacePattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}-(ops|client|director|router|lanclient|bridge|rs\\d+)$`);
}

export async function labNamespaces(prefix: string): Promise<string[]> {
  const { stdout } = await execCommand(['ip', 'netns', 'list'], { allowFailure: true });
  const pattern = labNamespacePattern(prefix);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => pattern.test(name));
}

async function pidsIn(netns: string): Promise<number[]> {
  const { stdout } = await execCommand(['ip', 'netns', 'pids', netns], { allowFailure: true });
  return stdout.split('\n').filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1);
}

async function killAll(pids: number[]): Promise<void> {
  const alive = pids.filter(isAlive);
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  for (let i = 0; i < 20 && alive.some(isAlive); i++) await sleep(25);
  const stubborn = alive.filter(isAlive);
  for (const pid of stubborn) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (let i = 0; i < 40 && stubborn.some(isAlive); i++) await sleep(25);
}

/** Finds what a lab with this prefix left behind (empty = nothing). */
export async function labLeftovers(prefix: string, knownPids: number[] = []): Promise<string[]> {
  const leftovers: string[] = [];
  for (const ns of await labNamespaces(prefix)) leftovers.push(`namespace ${ns}`);
  const { stdout } = await execCommand(['ip', '-o', 'link', 'show'], { allowFailure: true });
  for (const line of stdout.split('\n')) {
    const name = line.split(':')[1]?.trim().split('@')[0];
    if (name?.startsWith(`${prefix}-`)) leftovers.push(`interface ${name} in the root namespace`);
  }
  for (const pid of knownPids) if (isAlive(pid)) leftovers.push(`process ${pid}`);
  const dir = stateDir(prefix);
  if (existsSync(dir)) leftovers.push(`directory ${dir}`);
  return leftovers;
}

/**
 * Kills the lab's processes by PID (those it recorded, then any still inside its namespaces,
 * e.g. ssh sessions and captures started through it), deletes its namespaces and files.
 */
export async function teardown(prefix: string): Promise<{ leftovers: string[] }> {
  const state = readState(prefix);
  const recorded = state?.daemons.map((d) => d.pid) ?? [];
  await killAll(recorded);
  const namespaces = await labNamespaces(prefix);
  const inside = (await Promise.all(namespaces.map(pidsIn))).flat();
  await killAll(inside);
  if (namespaces.length > 0) {
    await execCommand(['ip', '-batch', '-'], { input: namespaces.map((ns) => `netns del ${ns}`).join('\n') + '\n', allowFailure: true });
  }
  rmSync(stateDir(prefix), { recursive: true, force: true });
  return { leftovers: await labLeftovers(prefix, [...recorded, ...inside]) };
}

export async function labDown(prefix = 'lvs'): Promise<{ leftovers: string[] }> {
  validatePrefix(prefix);
  const present = readState(prefix) !== null || existsSync(stateDir(prefix)) || (await labNamespaces(prefix)).length > 0;
  if (!present) throw new LabError(`no lab '${prefix}' is up (no state in ${stateDir(prefix)}, no namespace ${prefix}-*)`);
  return teardown(prefix);
}
