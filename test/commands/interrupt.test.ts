// The real binary stopped early: SIGTERM / SIGINT while every host hangs (a stand-in ssh whose
// sessions never answer), and --deadline. execa's signal-exit used to re-raise the signal
// before any cleanup ran; now the run stops, the partial result is printed in its format and
// the exit code says the signal, within about a second, with no stand-in session left.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interruptOf, watchInterrupts } from '../../src/commands/interrupt.js';
import { EventEmitter } from 'node:events';

const bin = join(import.meta.dirname, '../../bin/lvs-doctor.js');
const dir = mkdtempSync(join(tmpdir(), 'lvsd-interrupt-'));
const marker = `${process.pid % 1000}.5`;
// Masters "connect"; every session hangs (no command ever runs: nothing leaves this machine).
writeFileSync(join(dir, 'ssh'), `#!/bin/sh
for a in "$@"; do case "$a" in ControlMaster=yes) exit 0 ;; -O) exit 0 ;; esac; done
: > "${join(dir, 'ran')}"
exec sleep ${marker}
`);
chmodSync(join(dir, 'ssh'), 0o755);
writeFileSync(join(dir, 'inventory.yaml'), `service: { protocol: TCP, vip: 192.0.2.100, vport: 80 }
director: { name: director, ssh: { host: director }, ext: eth0, int: eth1, dip: 192.0.2.1 }
client: { name: client, ssh: { host: client }, cip: 198.51.100.10 }
realservers:
  - { name: rs1, ssh: { host: rs1 }, rip: 192.0.2.11, rport: 80 }
`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ended { code: number | null; out: string; err: string; afterSignalMs: number }

function runAndSignal(flags: string[], signal: NodeJS.Signals | null): Promise<Ended> {
  rmSync(join(dir, 'ran'), { force: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--inventory', join(dir, 'inventory.yaml'), '--ssh', join(dir, 'ssh'), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let sentAt = performance.now();
    if (signal) {
      // Once the run has reached the hosts (its handlers are long installed by then), a little later.
      const poll = setInterval(() => {
        if (!existsSync(join(dir, 'ran'))) return;
        clearInterval(poll);
        setTimeout(() => {
          sentAt = performance.now();
          child.kill(signal);
        }, 300);
      }, 50);
    }
    child.on('close', (code) => resolve({ code, out, err, afterSignalMs: performance.now() - sentAt }));
  });
}

function leftovers(): string {
  return spawnSync('pgrep', ['-af', `sleep ${marker}`], { encoding: 'utf8' }).stdout.trim();
}

describe('lvs-doctor stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: the partial result as JSON, interrupted and unknown, exit %i, within a second, nothing left', async (signal, exitCode) => {
    const r = await runAndSignal(['--json'], signal);
    expect(r.code, r.err).toBe(exitCode);
    expect(r.afterSignalMs).toBeLessThan(1_500);
    const doc = JSON.parse(r.out) as { verdict: string; interrupted?: { by: string; signal: string } };
    expect(doc.verdict).toBe('unknown');
    expect(doc.interrupted).toMatchObject({ by: 'signal', signal });
    await new Promise((res) => setTimeout(res, 300));
    expect(leftovers()).toBe('');
  });

  it('--format nagios: one UNKNOWN line saying so, exit 3 (Nagios reads 0-3 only)', async () => {
    const r = await runAndSignal(['--format', 'nagios'], 'SIGTERM');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^LVS-DOCTOR UNKNOWN - interrupted by SIGTERM/);
  });

  it('--deadline: the run stops by itself and reports, exit 3', async () => {
    const started = performance.now();
    const r = await runAndSignal(['--json', '--deadline', '1'], null);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out) as { verdict: string; summary: string; interrupted?: { by: string; deadlineS: number } };
    expect(doc.interrupted).toMatchObject({ by: 'deadline', deadlineS: 1 });
    expect(doc.summary).toMatch(/^deadline of 1 s reached/);
    await new Promise((res) => setTimeout(res, 300));
    expect(leftovers()).toBe('');
  });

  it.each(['0', 'abc', '1.5', '3601'])('--deadline %s is refused before any host (exit 64)', async (value) => {
    const r = await runAndSignal(['--json', '--deadline', value], null);
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/--deadline/);
  });
});

describe('watchInterrupts', () => {
  const fakeProcess = (): NodeJS.Process => new EventEmitter() as unknown as NodeJS.Process;

  it('aborts on the first signal naming it, ends at once on a second, and after its bound otherwise', async () => {
    const proc = fakeProcess();
    const exits: number[] = [];
    const w = watchInterrupts((code) => exits.push(code), 50, proc);
    expect(proc.listenerCount('SIGINT')).toBe(1);
    proc.emit('SIGTERM');
    expect(interruptOf(w.signal)).toBe('SIGTERM');
    expect(exits).toEqual([]);
    proc.emit('SIGINT');
    expect(exits).toEqual([143]);
    await new Promise((r) => setTimeout(r, 80));
    expect(exits).toEqual([143, 143]);
    w.dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('stays registered after the first signal (signal-exit re-raises only as the last listener)', () => {
    const proc = fakeProcess();
    const w = watchInterrupts(() => undefined, 1_000, proc);
    proc.emit('SIGINT');
    expect(proc.listenerCount('SIGINT')).toBe(1);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    w.dispose();
  });
});
