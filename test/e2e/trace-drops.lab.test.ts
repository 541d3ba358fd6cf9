// Issue 15.3 on the netns lab: with --trace-drops the kernel's own drop reason proves the faults
// where the kernel gives one, on the host where the packet vanished; and no tracefs instance
// (nor trace script) is left behind after a normal run, after SIGINT, or after kill -9 of the
// doctor. The lab's hosts share this machine's kernel and so its tracefs: the instances are
// looked for kernel-wide.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injectFault, labExec, labFaults, readLabInfo, revertFault } from '../../src/lab/index.js';
import { planLab } from '../../src/lab/plan.js';
import { labSkipReason } from '../lab/helpers.js';
import { freshLab, labDiagnose, traceEvidence } from './lab-diagnose.js';

const PREFIX = 'drp3';
const skip = labSkipReason(PREFIX);
const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');

/** The netns-lab faults the kernel names a reason for, and where (the fault's default target). */
const REASONS: Record<string, { host: string; reason: string }> = {
  'director.rp-filter': { host: 'director', reason: 'IP_RPFILTER' },
  'director.firewall-drop': { host: 'director', reason: 'NETFILTER_DROP' },
  'director.ip-forward-off': { host: 'director', reason: 'IP_INADDRERRORS' },
  'realserver.no-listener': { host: 'rs3', reason: 'NO_SOCKET' },
  'realserver.firewall-reject': { host: 'rs1', reason: 'NETFILTER_DROP' },
  'realserver.silent-drop': { host: 'rs1', reason: 'NETFILTER_DROP' },
};

/** Every lvsd-* tracefs instance of this kernel (tracefs mounted privately to look). */
function instancesLeft(): string[] {
  const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', '[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing; ls /sys/kernel/tracing/instances'], { encoding: 'utf8' });
  return out.split('\n').filter((n) => n.startsWith('lvsd-'));
}

/** Trace scripts (and their guards) still running in the lab's namespaces. */
function traceScripts(): string[] {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${PREFIX}-`));
  return namespaces.flatMap((ns) =>
    execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).flatMap((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.includes('lvsd-trace') || args.includes('lvsd-guard') ? [`${ns} ${pid}`] : [];
      } catch {
        return [];
      }
    }),
  );
}

async function waitFor(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip !== null)(`lvs-doctor --trace-drops on the lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  freshLab(PREFIX);

  it('the faults with a kernel reason are a subset of what the netns lab can inject', () => {
    const ids = labFaults('netns').map((f) => f.id);
    for (const id of Object.keys(REASONS)) expect(ids).toContain(id);
  });

  it('a healthy lab: ok, every host traced, no drop of the test connection, no instance left', async () => {
    const r = labDiagnose(PREFIX, ['--trace-drops']);
    expect(r.verdict).toBe('ok');
    expect(r.dropTraces?.map((t) => [t.host, t.status, t.drops.length])).toEqual([
      ['director', 'traced', 0],
      ['rs1', 'traced', 0],
      ['rs2', 'traced', 0],
      ['rs3', 'traced', 0],
      ['client', 'traced', 0],
    ]);
    expect(instancesLeft()).toEqual([]);
    // A guard outlives its script by up to its one-second poll.
    await waitFor('no trace script nor guard', () => traceScripts().length === 0, 3_000);
  }, 120_000);

  for (const [id, want] of Object.entries(REASONS)) {
    it(`${id}: reason ${want.reason} on ${want.host} is evidence of the diagnosis`, async () => {
      // The client's ARP entry for the director made fresh just before the fault (strict
      // rp_filter also drops the client's ARP): one ping, not a whole diagnosis.
      const ping = await labExec(PREFIX, 'client', ['ping', '-n', '-c', '1', '-W', '2', planLab(PREFIX, 3).directorExtAddress]);
      expect(ping.exitCode, ping.stderr).toBe(0);
      await injectFault(PREFIX, id);
      const recorded = mkdtempSync(join(tmpdir(), 'lvsd-traced-'));
      try {
        const r = labDiagnose(PREFIX, ['--trace-drops', '--record', join(recorded, 'bundle')]);
        expect(r.diagnoses[0]?.id, JSON.stringify(r.diagnoses.map((d) => d.id))).toBe(id);
        const e = traceEvidence(r, id);
        expect(e, JSON.stringify(r.dropTraces)).toBeDefined();
        expect(e!.host).toBe(want.host);
        expect(e!.note).toContain(`reason ${want.reason}`);
        expect(e!.lines.at(-1)).toMatch(new RegExp(`kfree_skb: .* reason: ${want.reason}$`));
        // Only that host dropped the test connection's packets.
        expect(r.dropTraces!.filter((t) => t.drops.length > 0).map((t) => t.host)).toEqual([want.host]);
        expect(instancesLeft()).toEqual([]);
        // A traced run asks no realserver whether it holds a connection (src/engine/test-connection.ts):
        // a drop on a realserver waits for the retransmission, a second copy for its trace to match.
        const manifest = JSON.parse(readFileSync(join(recorded, 'bundle', 'manifest.json'), 'utf8')) as { entries: { argv: string[] }[] };
        expect(manifest.entries.filter((e) => e.argv[0] === 'ss' && e.argv[1] === '-tan')).toEqual([]);
      } finally {
        rmSync(recorded, { recursive: true, force: true });
        await revertFault(PREFIX, id);
      }
    }, 240_000);
  }

  it('without --trace-drops nothing is traced', () => {
    const r = labDiagnose(PREFIX, []);
    expect(r.dropTraces).toBeUndefined();
  }, 120_000);

  it.each(['SIGINT', 'SIGKILL'] as const)('stopped by %s while tracing: no instance and no trace script left', async (signal) => {
    await injectFault(PREFIX, 'director.rp-filter');
    try {
      const info = readLabInfo(PREFIX)!;
      // SIGKILL goes to the doctor itself (nothing of its code runs after): the scripts see
      // their ssh sessions close.
      const argv = signal === 'SIGINT' ? [process.execPath, bin, 'lab', 'diagnose', '--prefix', PREFIX, '--json', '--trace-drops'] : ['ip', 'netns', 'exec', info.opsNetns, process.execPath, bin, 'diagnose', '--inventory', info.inventory, '--json', '--trace-drops'];
      const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
      const ended = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await waitFor('a tracefs instance', () => instancesLeft().length > 0, 30_000);
      child.kill(signal);
      await ended;
      const killedAt = performance.now();
      // The heartbeat notices a closed session within about a second.
      await waitFor('every instance to be removed', () => instancesLeft().length === 0 && traceScripts().length === 0, 8_000);
      expect(performance.now() - killedAt).toBeLessThan(8_000);
    } finally {
      await revertFault(PREFIX, 'director.rp-filter');
    }
  }, 120_000);
});
