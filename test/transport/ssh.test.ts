// SshTransport against a stand-in `ssh` (sshPath) that fails like OpenSSH for some host
// names and otherwise runs the remote command with a local sh, as sshd would.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostSpec } from '../../src/model/topology.js';
import { SshTransport, type SshTransportOptions } from '../../src/transport/ssh.js';
import { QUICK_PER_SESSION, TransportError } from '../../src/transport/transport.js';
import { makeRunSocketDir } from '../../src/transport/socket-dirs.js';
import { shortTmpdir } from '../../src/transport/ssh-reuse.js';
import { defaultHandshakesAtOnce } from '../../src/transport/handshake-gate.js';
import { askTwiceThenStop } from './counters-on-demand.js';

const FAKE_SSH = `#!/bin/sh
echo "$*" >> "$FAKE_SSH_LOG"
# A master is a file at its ControlPath: -O check finds it, -O exit removes it.
cp=""; op=""; master=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    -O) op="$2" ;;
    ControlPath=*) cp="\${1#ControlPath=}" ;;
    ControlMaster=yes) master=1 ;;
  esac
  shift
done
case "$op" in
  check) [ -e "$cp" ] && exit 0; echo "Control socket connect($cp): No such file or directory" >&2; exit 255 ;;
  exit) rm -f "$cp"; exit 0 ;;
  ?*) exit 0 ;;
esac
shift; host="$1"; shift
case "$host" in
  refused) echo "ssh: connect to host refused port 22: Connection refused" >&2; exit 255 ;;
  denied) echo "root@denied: Permission denied (publickey)." >&2; exit 255 ;;
  changed) printf '@@@@@\\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\\nHost key verification failed.\\n' >&2; exit 255 ;;
  slow) echo "ssh: connect to host slow port 22: Connection timed out" >&2; exit 255 ;;
esac
# A handshake takes FAKE_MASTER_DELAY seconds: long enough for two runs to race.
# Each handshake's start and end go to FAKE_SSH_LOG.hs, to count how many overlap.
[ -n "$master" ] && { echo + >> "$FAKE_SSH_LOG.hs"; sleep "\${FAKE_MASTER_DELAY:-0}"; : > "$cp"; echo - >> "$FAKE_SSH_LOG.hs"; }
[ $# -eq 0 ] && exit 0
exec sh -c "$1"
`;

let dir: string;
let log: string;
const hosts: HostSpec[] = ['ok', 'refused', 'denied', 'changed', 'slow'].map((name) => ({
  name: `h-${name}`,
  role: 'realserver',
  access: 'ssh',
  ssh: { host: name, user: 'admin', port: 2222, jump: 'bastion', configFile: '/etc/lab.conf', identityFile: '/k/id' },
}));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvsd-fakessh-'));
  log = join(dir, 'log');
  await writeFile(join(dir, 'ssh'), FAKE_SSH);
  await chmod(join(dir, 'ssh'), 0o755);
  process.env.FAKE_SSH_LOG = log;
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function transport(extra: Partial<SshTransportOptions> = {}): SshTransport {
  return new SshTransport({ hosts: [...hosts, { name: 'offlimits', role: 'realserver', access: 'none' }], sshPath: join(dir, 'ssh'), ...extra });
}

describe('SshTransport', () => {
  it('classifies what ssh says when the masters open', async () => {
    const t = transport();
    const prepared = await t.prepare(hosts.map((h) => h.name).concat('offlimits'));
    await t.close();
    expect(Object.fromEntries([...prepared].map(([h, e]) => [h, e?.kind ?? null]))).toEqual({
      'h-ok': null,
      'h-refused': 'unreachable',
      'h-denied': 'auth',
      'h-changed': 'host-key',
      'h-slow': 'timeout',
      offlimits: 'no-access',
    });
    const again = transport();
    const err = await again.run('h-denied', ['true'], { timeoutMs: 1000 }).catch((e: TransportError) => e);
    await again.close();
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toBe('h-denied: root@denied: Permission denied (publickey).');
  });

  it('lets a bounded number of handshakes run at once, first come first served, and every host connects', async () => {
    const many: HostSpec[] = Array.from({ length: 12 }, (_, i) => ({ name: `m${i}`, role: 'realserver', access: 'ssh', ssh: { host: `ok-${i}` } }));
    const overlapOf = async (extra: Partial<SshTransportOptions>): Promise<{ most: number; errors: unknown[] }> => {
      await writeFile(`${log}.hs`, '');
      const t = transport({ hosts: many, handshakesAtOnce: 3, ...extra });
      process.env.FAKE_MASTER_DELAY = '0.15';
      const prepared = await t.prepare(many.map((h) => h.name)).finally(() => delete process.env.FAKE_MASTER_DELAY);
      await t.close();
      let now = 0;
      let most = 0;
      for (const mark of (await readFile(`${log}.hs`, 'utf8')).split('\n').filter(Boolean)) most = Math.max(most, (now += mark === '+' ? 1 : -1));
      return { most, errors: [...prepared.values()] };
    };
    for (const extra of [{}, { keepConnections: { dir: join(dir, 'keep-gate'), seconds: 60 } }]) {
      const { most, errors } = await overlapOf(extra);
      expect(errors).toEqual(many.map(() => null));
      // Unbounded, all twelve overlap (the fake handshake lasts 0.15 s).
      expect(most).toBe(3);
    }
    expect([defaultHandshakesAtOnce(1), defaultHandshakesAtOnce(2), defaultHandshakesAtOnce(64)]).toEqual([4, 8, 10]);
  });

  it('passes the target options and never weakens host-key checking unless asked', async () => {
    await writeFile(log, '');
    const t = transport();
    await t.run('h-ok', ['true'], { timeoutMs: 1000 });
    await t.close();
    const lines = (await readFile(log, 'utf8')).split('\n');
    const cmd = lines.find((l) => l.includes('ControlMaster=no')) ?? '';
    for (const part of ['BatchMode=yes', '-F /etc/lab.conf', '-p 2222', '-l admin', '-i /k/id', '-J bastion', '-- ok']) expect(cmd).toContain(part);
    expect(lines.join('\n')).not.toMatch(/StrictHostKeyChecking/);
    expect(lines.some((l) => / -O exit /.test(l))).toBe(true);
    const socket = /ControlPath=(\S+)/.exec(cmd)?.[1] ?? '';
    expect(socket.length).toBeLessThan(100);

    await writeFile(log, '');
    const lax = transport({ acceptNewHostKeys: true });
    await lax.run('h-ok', ['true'], { timeoutMs: 1000 });
    await lax.close();
    expect(await readFile(log, 'utf8')).toContain('StrictHostKeyChecking=accept-new');
  });

  it('runs quick commands asked together in one batch, the last one included, and keeps the shell for the next', async () => {
    const t = transport();
    await t.prepare(['h-ok']);
    const calls = async (): Promise<number> => (await readFile(log, 'utf8')).split('BatchMode=yes').length;
    const before = await calls();
    const words = ['one', 'two', 'three', 'four'];
    const results = await Promise.all(words.map((w) => t.run('h-ok', ['echo', w], { timeoutMs: 5000, batch: true })));
    expect(results.map((r) => Buffer.from(r.stdout).toString())).toEqual(words.map((w) => `${w}\n`));
    // One ssh call for all four: a frame lost at the end would have been asked again alone.
    expect((await calls()) - before).toBe(1);
    // The open shell is bounded like every remote command.
    expect(await readFile(log, 'utf8')).toContain("exec 'timeout' '600' 'sh'");
    // Later batches go through the same open shell: no ssh started for them.
    const later = await t.run('h-ok', ['echo', 'later'], { timeoutMs: 5000, batch: true });
    expect(Buffer.from(later.stdout).toString()).toBe('later\n');
    expect((await calls()) - before).toBe(1);
    await t.close();
  });

  it('answers each quick read of a batch as it ends, not when a read beside them that waits on the network does', async () => {
    const t = transport();
    await t.prepare(['h-ok']);
    const release = join(dir, 'release-beside');
    // The read beside waits (3 s at most) for a mark made only once both others were answered:
    // were they answered at the batch's end, it would never see it.
    const waits = t.run('h-ok', ['sh', '-c', 'i=0; while [ ! -e "$1" ] && [ $i -lt 150 ]; do sleep 0.02; i=$((i+1)); done; [ -e "$1" ] && echo released || echo held', 'sh', release], { timeoutMs: 5000, batch: true, besideOthers: true });
    const quick = Promise.all([t.run('h-ok', ['echo', 'read'], { timeoutMs: 5000, batch: true }), t.run('h-ok', ['echo', 'another'], { timeoutMs: 5000, batch: true })]);
    void quick.then(() => writeFile(release, ''));
    const [reads, beside] = await Promise.all([quick, waits]);
    expect(reads.map((r) => Buffer.from(r.stdout).toString())).toEqual(['read\n', 'another\n']);
    expect(Buffer.from(beside.stdout).toString()).toBe('released\n');
    await rm(release, { force: true });
    await t.close();
  });

  it('works a backed-up queue of quick reads through up to four shells at once (a director probing many off-limits realservers)', async () => {
    const t = transport();
    await t.prepare(['h-ok']);
    const shells = async (): Promise<number> => (await readFile(log, 'utf8')).split("exec 'timeout' '600' 'sh'").length;
    const before = await shells();
    // 8 batches of reads of 0.05 s, 6.4 s one after the other in one shell. Each says when it
    // ran (ns), so that the overlap is measured, whatever the machine's load.
    const results = await Promise.all(Array.from({ length: 8 * QUICK_PER_SESSION }, () => t.run('h-ok', ['sh', '-c', 'a=$(date +%s%N); sleep 0.05; echo "$a $(date +%s%N)"'], { timeoutMs: 5000, batch: true })));
    const spans = results.map((r) => Buffer.from(r.stdout).toString().trim().split(' ').map(Number));
    expect(spans.every(([a, b]) => b > a)).toBe(true);
    const overlap = Math.max(...spans.map(([a]) => spans.filter(([s0, e0]) => s0 <= a && a < e0).length));
    expect((await shells()) - before).toBe(4);
    expect(overlap).toBe(4);
    await t.close();
  });

  it('a stopped run stops waiting for its quick reads, and its masters outlive a killed doctor 10 s at most', async () => {
    const t = transport();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = performance.now();
    const r = await t.run('h-ok', ['sleep', '3'], { timeoutMs: 5000, batch: true, signal: ac.signal });
    expect(r.stopped).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_500);
    await t.close();
    const masters = (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('ControlMaster=yes'));
    expect(masters.length).toBeGreaterThan(0);
    for (const m of masters.slice(-1)) expect(m).toContain('ControlPersist=10 ');
    expect(masters.slice(-1)[0]).toMatch(new RegExp(`ControlPath=[^ ]*/lvsd-${process.pid}-[A-Za-z0-9]{6}/h0 `));
  });

  it('removes the socket directory a killed run left before making its own', async () => {
    const dead = Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
    const stale = await makeRunSocketDir(shortTmpdir(), dead);
    await writeFile(join(stale, 'h0'), '');
    const t = transport();
    await t.prepare(['h-ok']);
    const gone = await stat(stale).then(() => false, () => true);
    await t.close();
    expect(gone).toBe(true);
  });

  it('carries hostile argv through the remote shell unchanged; a non-zero exit is data', async () => {
    const t = transport();
    const hostile = ['eth0; rm -rf /', '$(id)', 'a\nb', "it's", '-n', ''];
    const r = await t.run('h-ok', ['printf', '<%s>', ...hostile], { timeoutMs: 5000 });
    expect(Buffer.from(r.stdout).toString()).toBe(hostile.map((h) => `<${h}>`).join(''));
    expect(r.stderr).toBe('');
    const fail = await t.run('h-ok', ['sh', '-c', 'echo no >&2; exit 255'], { timeoutMs: 5000 });
    expect([fail.exitCode, fail.stderr]).toEqual([255, 'no\n']);
    await t.close();
  });

  it('stops the remote process by PID on abort, and bounds it by timeout', async () => {
    const t = transport();
    const marker = `lvsd-ssh-abort-${process.pid}`;
    const ac = new AbortController();
    const lines: string[] = [];
    const run = t.run('h-ok', ['sh', '-c', `echo ready >&2; exec sleep 30 # ${marker}`], { timeoutMs: 20_000, signal: ac.signal, onStderrLine: (l) => lines.push(l) });
    while (!lines.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const r = await run;
    expect(r.stopped).toBe(true);
    expect(spawnSync('pgrep', ['-f', marker]).status).toBe(1);
    const bounded = await t.run('h-ok', ['sleep', '30'], { timeoutMs: 300 });
    expect([bounded.exitCode, bounded.timedOut]).toEqual([124, true]);
    await t.close();
  });

  it('asks a command that ends on its stdin for its counters whenever the caller wants, through the session\'s stdin', async () => {
    const t = transport();
    try {
      expect(await askTwiceThenStop(t, 'h-ok', `lvsd-ssh-on-demand-${process.pid}`)).toEqual(['counters 1', 'counters 2']);
    } finally {
      await t.close();
    }
  });

  it('stops a command that ends on its stdin by closing it: no ssh started for the stop, the command gone, its output kept', async () => {
    const t = transport();
    const marker = `lvsd-ssh-eof-${process.pid}`;
    const ac = new AbortController();
    const lines: string[] = [];
    // Says what it got on TERM, as tcpdump writes its counters on the way out.
    const script = `trap 'kill $!; echo flushed; exit 0' TERM; echo ready >&2; sleep 30 & wait # ${marker}`;
    const run = t.run('h-ok', ['sh', '-c', script], { timeoutMs: 20_000, signal: ac.signal, endsOnStdinClose: true, onStderrLine: (l) => lines.push(l) });
    while (!lines.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    await writeFile(log, '');
    const started = Date.now();
    ac.abort();
    const r = await run;
    expect(r.stopped).toBe(true);
    expect(Buffer.from(r.stdout).toString()).toBe('flushed\n');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(spawnSync('pgrep', ['-f', marker]).status).toBe(1);
    // The stop was the closed stdin: no session opened to kill it.
    expect((await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('kill'))).toEqual([]);
    // A command that ends by itself ends its run with its own status, stdin still open.
    const own = await t.run('h-ok', ['sh', '-c', 'echo out; exit 3'], { timeoutMs: 20_000, endsOnStdinClose: true });
    expect([own.exitCode, Buffer.from(own.stdout).toString(), own.stopped]).toEqual([3, 'out\n', undefined]);
    const bounded = await t.run('h-ok', ['sleep', '30'], { timeoutMs: 300, endsOnStdinClose: true });
    expect([bounded.exitCode, bounded.timedOut]).toEqual([124, true]);
    await t.close();
  });

  describe('runTogether: several commands in one session', () => {
    const marker = `lvsd-together-${process.pid}`;
    // The stand-in logs each ssh's arguments, the remote text with its newlines included: an ssh starts each line that has its options.
    const sessions = async (): Promise<string[]> => (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('ControlPath=') && !l.includes('ControlMaster=yes'));

    it('starts one ssh for all; each answers once it has ended, with its own exit, stdout (trailing newlines kept) and stderr', async () => {
      const t = transport();
      await t.prepare(['h-ok']);
      await writeFile(log, '');
      const ended: number[] = [];
      const runs = t.runTogether(
        'h-ok',
        [
          ['sh', '-c', `printf 'first\\n\\n'; echo oops >&2; exit 3 # ${marker}`],
          ['sh', '-c', `sleep 0.6; printf 'last' # ${marker}`],
          ['sh', '-c', 'echo "$0" "$1"', "it's", 'a b', marker],
        ],
        { timeoutMs: 20_000, endsOnStdinClose: true },
      );
      runs.forEach((r, i) => void r.then(() => ended.push(i)));
      const [first, last, third] = await Promise.all(runs);
      expect(await sessions()).toHaveLength(1);
      await t.close();
      expect([first.exitCode, Buffer.from(first.stdout).toString(), first.stderr]).toEqual([3, 'first\n\n', 'oops\n']);
      expect([last.exitCode, Buffer.from(last.stdout).toString(), last.stderr]).toEqual([0, 'last', '']);
      expect([third.exitCode, Buffer.from(third.stdout).toString()]).toEqual([0, "it's a b\n"]);
      // The quick ones did not wait for the slow one.
      expect(ended[2]).toBe(1);
      expect(last.durationMs - first.durationMs).toBeGreaterThan(400);
    });

    it('a stop closes the session\'s stdin: what still runs is gone, no ssh started for it, what ended keeps its result', async () => {
      const t = transport();
      await t.prepare(['h-ok']);
      const ac = new AbortController();
      // Durations no other test uses: a sleep's command line is all pgrep can find it by.
      const runs = t.runTogether('h-ok', [['sh', '-c', `echo done # ${marker}`], ['sh', '-c', `sleep 30.25; : ${marker}-slow`], ['sleep', '31.25']], { timeoutMs: 20_000, endsOnStdinClose: true, signal: ac.signal });
      const done = await runs[0];
      await writeFile(log, '');
      const started = Date.now();
      ac.abort();
      const [slow, slower] = await Promise.all(runs.slice(1));
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(Buffer.from(done.stdout).toString()).toBe('done\n');
      expect([slow.stopped, slower.stopped, slow.exitCode]).toEqual([true, true, 143]);
      expect(spawnSync('pgrep', ['-f', `${marker}-slow`]).status).toBe(1);
      expect(spawnSync('pgrep', ['-x', '-f', 'sleep 30.25']).status).toBe(1);
      expect(spawnSync('pgrep', ['-x', '-f', 'sleep 31.25']).status).toBe(1);
      expect((await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('kill'))).toEqual([]);
      await t.close();
    });

    it('the session\'s bound ends what still runs as timed out', async () => {
      const t = transport();
      const [quick, bounded] = await Promise.all(t.runTogether('h-ok', [['true'], ['sleep', '32.25']], { timeoutMs: 300, endsOnStdinClose: true }));
      await t.close();
      expect(spawnSync('pgrep', ['-x', '-f', 'sleep 32.25']).status).toBe(1);
      expect([quick.exitCode, quick.timedOut]).toEqual([0, undefined]);
      expect([bounded.exitCode, bounded.timedOut]).toEqual([124, true]);
    });

    it('an unreachable host fails each command with its error', async () => {
      const t = transport();
      const runs = t.runTogether('h-refused', [['true'], ['true']], { timeoutMs: 1000, endsOnStdinClose: true });
      const errors = await Promise.all(runs.map((r) => r.then(() => null, (e: unknown) => e)));
      await t.close();
      expect(errors.map((e) => (e as TransportError).kind)).toEqual(['unreachable', 'unreachable']);
    });
  });

  describe('--keep-connections', () => {
    const lines = async (): Promise<string[]> => (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    const opened = (all: string[]): string[] => all.filter((l) => l.includes('ControlMaster=yes'));

    it('leaves the master for the next run, which uses it instead of a handshake', async () => {
      const shared = join(dir, 'keep-next');
      await writeFile(log, '');
      const first = transport({ keepConnections: { dir: shared, seconds: 120 } });
      await first.run('h-ok', ['true'], { timeoutMs: 1000 });
      await first.close();
      const firstRun = await lines();
      expect(opened(firstRun)).toHaveLength(1);
      expect(opened(firstRun)[0]).toContain('ControlPersist=120');
      expect(firstRun.some((l) => / -O exit /.test(l))).toBe(false);
      expect((await stat(shared)).mode & 0o777).toBe(0o700);

      await writeFile(log, '');
      const second = transport({ keepConnections: { dir: shared, seconds: 120 } });
      const r = await second.run('h-ok', ['echo', 'again'], { timeoutMs: 1000 });
      await second.close();
      expect(Buffer.from(r.stdout).toString()).toBe('again\n');
      const secondRun = await lines();
      expect(opened(secondRun)).toEqual([]);
      expect(secondRun.some((l) => / -O check /.test(l))).toBe(true);
      const socketOf = (l: string): string => /ControlPath=(\S+)/.exec(l)?.[1] ?? '';
      expect(new Set(secondRun.map(socketOf))).toEqual(new Set([socketOf(opened(firstRun)[0])]));
    });

    it('opens one master when two runs start together', async () => {
      const shared = join(dir, 'keep-race');
      await writeFile(log, '');
      const a = transport({ keepConnections: { dir: shared, seconds: 60 } });
      const b = transport({ keepConnections: { dir: shared, seconds: 60 } });
      process.env.FAKE_MASTER_DELAY = '0.4';
      const [pa, pb] = await Promise.all([a.prepare(['h-ok']), b.prepare(['h-ok'])]).finally(() => delete process.env.FAKE_MASTER_DELAY);
      await Promise.all([a.close(), b.close()]);
      expect([pa.get('h-ok'), pb.get('h-ok')]).toEqual([null, null]);
      expect(opened(await lines())).toHaveLength(1);
    });

    it('a socket directory removed from under the run is that host\'s error, not a crash', async () => {
      const shared = join(dir, 'keep-gone');
      const two: HostSpec[] = ['a', 'b'].map((name) => ({ name, role: 'realserver', access: 'ssh', ssh: { host: `ok-${name}` } }));
      const t = transport({ hosts: two, keepConnections: { dir: shared, seconds: 60 } });
      expect((await t.prepare(['a'])).get('a')).toBeNull();
      await rm(shared, { recursive: true, force: true });
      const err = (await t.prepare(['b'])).get('b');
      await t.close();
      expect(err).toBeInstanceOf(TransportError);
      expect([err?.kind, err?.message]).toEqual(['internal', expect.stringMatching(/^b: --keep-connections: ENOENT/)]);
    });

    it('still classifies a host it cannot reach, and refuses a socket directory others can open', async () => {
      const shared = join(dir, 'keep-open');
      const t = transport({ keepConnections: { dir: shared, seconds: 60 } });
      expect((await t.prepare(['h-denied'])).get('h-denied')?.kind).toBe('auth');
      await t.close();
      await chmod(shared, 0o755);
      const lax = transport({ keepConnections: { dir: shared, seconds: 60 } });
      const err = (await lax.prepare(['h-ok'])).get('h-ok');
      await lax.close();
      expect(err?.message).toMatch(/open to other users \(mode 755\)/);
    });
  });
});

describe('SshTransport under the output caps', () => {
  it.each([['over its channel', {}], ['in sessions of its own', { channels: false }]] as [string, Partial<SshTransportOptions>][])(
    'a flooding command, alone or in a batch %s, fails naming the cap; the host still answers after',
    async (_, extra) => {
      const t = transport(extra);
      try {
        const alone = await t.run('h-ok', ['yes'], { timeoutMs: 20_000 }).catch((e: TransportError) => e);
        expect(alone).toMatchObject({ kind: 'output-limit' });
        expect((alone as TransportError).message).toMatch(/^h-ok: stdout passed the output cap \(line count of 16 MiB/);
        const batch = await Promise.all([t.run('h-ok', ['yes'], { timeoutMs: 20_000, batch: true }), t.run('h-ok', ['echo', 'x'], { timeoutMs: 20_000, batch: true })].map((p) => p.catch((e: TransportError) => e)));
        expect(batch[0]).toMatchObject({ kind: 'output-limit' });
        // The batch's other command is not failed with it.
        expect(Buffer.from((batch[1] as { stdout: Uint8Array }).stdout).toString()).toBe('x\n');
        const after = await t.run('h-ok', ['echo', 'still here'], { timeoutMs: 5_000, batch: true });
        expect(Buffer.from(after.stdout).toString()).toBe('still here\n');
      } finally {
        await t.close();
      }
    },
  );
});
