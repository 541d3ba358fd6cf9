// Issue 13.1/13.2 on real processes: a run stopped by SIGTERM or SIGINT while its captures
// listen leaves nothing in the lab (no tcpdump, no doctor ssh, no ControlMaster, no session)
// and prints its partial result; a run killed with -9 leaves masters that end by themselves
// within ControlPersist, and its socket directory is removed by the next run.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault, labDown, labUp, readLabInfo } from '../../src/lab/index.js';
import type { ResultDocument } from '../../src/model/result.js';
import { labSkipReason } from '../lab/helpers.js';

const PREFIX = 'sg1';
const skip = labSkipReason(PREFIX);
const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');
/** The run's own masters' ControlPersist (src/transport/ssh.ts). */
const CONTROL_PERSIST_S = 10;

interface LabProcess { netns: string; pid: number; kind: 'tcpdump' | 'ssh' | 'master' | 'session'; args: string }

/** What of the doctor's runs is alive in the lab's namespaces (ps by namespace: ip netns pids). */
function doctorProcesses(): LabProcess[] {
  const found: LabProcess[] = [];
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${PREFIX}-`));
  for (const netns of namespaces) {
    for (const pid of execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)) {
      let args: string;
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        continue; // gone meanwhile
      }
      const kind = /(^|\/)tcpdump /.test(args) || /timeout .* tcpdump /.test(args) ? 'tcpdump'
        : /^(\S*\/)?ssh .*ControlMaster=yes/.test(args) ? 'master'
        : /^(\S*\/)?ssh .*lvsd-/.test(args) ? 'ssh'
        : /^sshd: \S+@notty/.test(args) ? 'session'
        : null;
      if (kind) found.push({ netns, pid, kind, args: args.slice(0, 160) });
    }
  }
  return found;
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function started(argv: string[]): { child: ChildProcess; out: () => string; err: () => string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> } {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, at: performance.now() })));
  return { child, out: () => out, err: () => err, ended };
}

describe.skipIf(skip !== null)(`stopping a live run${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
    await labUp({ prefix: PREFIX });
    await injectFault(PREFIX, 'realserver.reply-route');
  }, 180_000);
  afterAll(async () => {
    const { leftovers } = await labDown(PREFIX);
    expect(leftovers).toEqual([]);
  }, 60_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('lab diagnose --json stopped by %s while the captures listen: exit %i, the partial JSON, nothing left in any lab namespace', async (signal, exitCode) => {
    expect(doctorProcesses()).toEqual([]);
    const run = started([process.execPath, bin, 'lab', 'diagnose', '--prefix', PREFIX, '--json']);
    // The interesting moment: tcpdump listens on the hosts (about 2.5 s into a run here).
    await waitFor('a capture on a lab host', () => doctorProcesses().some((p) => p.kind === 'tcpdump'), 30_000);
    const sentAt = performance.now();
    run.child.kill(signal);
    const end = await run.ended;
    expect({ code: end.code, signal: end.signal }).toEqual({ code: exitCode, signal: null });
    expect(end.at - sentAt).toBeLessThan(2_000);
    // Its cleanup finished within the bound (else it says so on stderr).
    expect(run.err()).not.toMatch(/took longer than its bound/);
    const doc = JSON.parse(run.out()) as ResultDocument;
    expect(doc.verdict).toBe('unknown');
    expect(doc.interrupted).toMatchObject({ by: 'signal', signal });
    // What the first round saw is there (the fault's own check reads the realservers' routes).
    expect(doc.checks.length).toBeGreaterThan(5);
    // Within a second or two of the exit: no capture, no ssh of ours, no master, no session.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(doctorProcesses(), `exited ${Math.round(end.at - sentAt)} ms after the signal; stderr: ${run.err()}`).toEqual([]);
  }, 90_000);

  it('kill -9: its masters end within ControlPersist, and the next run removes its socket directory', async () => {
    const info = readLabInfo(PREFIX)!;
    const run = started(['ip', 'netns', 'exec', info.opsNetns, process.execPath, bin, 'diagnose', '--inventory', info.inventory, '--json']);
    const pid = run.child.pid!;
    // Killed as soon as its masters are up: nothing of its own code runs after.
    await waitFor('the run\'s masters', () => doctorProcesses().filter((p) => p.kind === 'master' && p.args.includes(`lvsd-${pid}-`)).length >= 5, 30_000);
    const socketDir = await waitFor('its socket directory', () => readdirSync('/tmp').find((n) => n.startsWith(`lvsd-${pid}-`)), 5_000);
    run.child.kill('SIGKILL');
    const killedAt = (await run.ended).at;
    await waitFor('the masters to end', () => !doctorProcesses().some((p) => p.args.includes(`lvsd-${pid}-`)), (CONTROL_PERSIST_S + 5) * 1000);
    expect(performance.now() - killedAt).toBeGreaterThan((CONTROL_PERSIST_S - 2) * 1000);
    expect(existsSync(join('/tmp', socketDir))).toBe(true);
    // The next run, complete: it removes the dead run's directory and its own.
    const next = started([process.execPath, bin, 'lab', 'diagnose', '--prefix', PREFIX, '--json']);
    const end = await next.ended;
    expect(end.code).toBe(2);
    expect((JSON.parse(next.out()) as ResultDocument).diagnoses[0]?.id).toBe('realserver.reply-route');
    expect(existsSync(join('/tmp', socketDir))).toBe(false);
    expect(readdirSync('/tmp').filter((n) => n.startsWith(`lvsd-${next.child.pid}-`))).toEqual([]);
    expect(doctorProcesses()).toEqual([]);
  }, 120_000);
});
