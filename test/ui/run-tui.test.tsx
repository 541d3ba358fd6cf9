import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

// Ink reads CI once, when it is imported, and then draws no live frame (only the last, at
// exit); these tests drive a live terminal, so they run as on a person's machine even in CI.
vi.hoisted(() => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
});
import type { RunEvent } from '../../src/model/events.js';
import { colorEnabled, runTui, type TuiFixer } from '../../src/ui/run-tui.js';
import { replyRouteResult, healthyResult } from '../report/samples.js';
import { hostileResult, TITLE } from '../report/hostile.js';
import { eventsFor } from './events.js';

/** A terminal stand-in: collects what Ink writes and lets a test wait for some text to show. */
class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 60;
  isTTY = true;
  text = '';
  private waiters: { needle: string; resolve: () => void }[] = [];
  write = (chunk: string): boolean => {
    this.text += chunk;
    this.waiters = this.waiters.filter((w) => (this.text.includes(w.needle) ? (w.resolve(), false) : true));
    return true;
  };
  shows(needle: string): Promise<void> {
    return this.text.includes(needle) ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ needle, resolve }));
  }
}

class FakeStdin extends EventEmitter {
  constructor(readonly isTTY: boolean) {
    super();
  }
  private data: string | null = null;
  press(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

async function* stream(events: RunEvent[], failAfter?: number): AsyncIterable<RunEvent> {
  for (const [i, e] of events.entries()) {
    if (failAfter !== undefined && i === failAfter) throw new Error('probe runner exploded');
    await Promise.resolve();
    yield e;
  }
}

/** The last frame Ink drew: what follows its last erase of the previous one (cursor to column 1). */
function lastFrame(text: string): string[] {
  const at = text.lastIndexOf('\u001b[G');
  const frame = at >= 0 ? text.slice(at + 3) : text;
  // eslint-disable-next-line no-control-regex
  return frame.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\n$/, '').split('\n');
}

const io = (tty: boolean) => {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin(tty);
  return { stdout, stdin, opts: { noColor: true, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream } };
};

describe('runTui', () => {
  it('renders the run, and c leaves the UI and prints the fix commands plainly', async () => {
    const { stdout, stdin, opts } = io(true);
    const done = runTui(stream(eventsFor(replyRouteResult())), opts);
    await stdout.shows('q quit');
    expect(stdout.text).toContain('realserver.reply-route');
    stdin.press('c');
    const result = await done;
    expect(result?.verdict).toBe('fail');
    expect(stdout.text.endsWith('\n# realserver.reply-route - on rs1: replies must go back through the director to be rewritten\nip route replace default via 10.1.1.1\n')).toBe(true);
  });

  it('shows what hosts sent with its control characters escaped, in the views and in the copied fixes', async () => {
    const { stdout, stdin, opts } = io(true);
    const done = runTui(stream(eventsFor(hostileResult())), opts);
    await stdout.shows('q quit');
    stdin.press('\r');
    await stdout.shows('\\x1b]8;;http://x.example/');
    stdin.press('c');
    await done;
    for (const planted of [TITLE, '\u001b]8;;', '\u009b', '\u202e']) expect(stdout.text.includes(planted), JSON.stringify(planted)).toBe(false);
    expect(stdout.text).toContain('\\x1b]0;pwned\\x07');
  });

  it('c prints a command longer than the terminal on one line, once (issue 16.4)', async () => {
    const { stdout, stdin, opts } = io(true);
    const long = 'iptables -t filter -D INPUT -p tcp -m tcp --dport 80 -m comment --comment lvs-doctor-lab -j REJECT --reject-with icmp-port-unreachable';
    const doc = replyRouteResult();
    doc.diagnoses = doc.diagnoses.map((d, i) => (i === 0 ? { ...d, fixes: [{ host: 'rs1', why: 'accept the forwarded requests', commands: [long] }] } : d));
    const done = runTui(stream(eventsFor(doc)), opts);
    await stdout.shows('q quit');
    // On screen it wraps under its indent, never back to column 0.
    const screen = lastFrame(stdout.text);
    const at = screen.findIndex((l) => l.includes('rs1# iptables -t filter -D INPUT'));
    expect(at).toBeGreaterThan(-1);
    expect(screen[at + 1]).toMatch(/^ {9}\S/);
    stdin.press('c');
    await done;
    const printed = stdout.text.slice(stdout.text.lastIndexOf('# realserver.reply-route')).split('\n');
    expect(printed.filter((l) => l === long)).toHaveLength(1);
  });

  it('fits the terminal and follows a resize: 80x24, then 100x40 (issue 16.2)', async () => {
    const { stdout, stdin, opts } = io(true);
    stdout.rows = 24;
    const done = runTui(stream(eventsFor(replyRouteResult())), opts);
    await stdout.shows('q quit');
    await new Promise((r) => setTimeout(r, 50));
    const small = lastFrame(stdout.text);
    expect(small.length).toBeLessThanOrEqual(23);
    expect(small.join('\n')).toContain(' CRITICAL ');
    expect(small.join('\n')).toContain('Packet path of the test connection');
    expect(small.join('\n')).toContain('space/PgDn');
    stdout.columns = 100;
    stdout.rows = 40;
    stdout.text = '';
    stdout.emit('resize');
    await stdout.shows('q quit');
    await new Promise((r) => setTimeout(r, 50));
    const big = lastFrame(stdout.text);
    expect(big.length).toBeGreaterThan(small.length);
    expect(big.length).toBeLessThanOrEqual(39);
    expect(big.join('\n')).toContain('Checks to look at');
    expect(big.join('\n')).not.toContain('space/PgDn');
    stdin.press('q');
    await done;
  });

  it('Ctrl-C before the run ended prints what was seen so far (issue 16.8)', async () => {
    const { stdout, stdin, opts } = io(true);
    const events = eventsFor(replyRouteResult());
    const upTo = events.findIndex((e) => e.type === 'check-end' && e.result.id === 'q2.route-get') + 1;
    async function* hangs(): AsyncIterable<RunEvent> {
      for (const e of events.slice(0, upTo)) {
        await Promise.resolve();
        yield e;
      }
      await new Promise(() => {}); // the engine is still waiting on a host
    }
    const done = runTui(hangs(), opts);
    await stdout.shows('q2.route-get');
    stdin.press('\u0003');
    const result = await done;
    expect(result).toBeNull();
    const tail = stdout.text.slice(stdout.text.lastIndexOf('lvs-doctor: interrupted'));
    expect(tail).toMatch(/^lvs-doctor: interrupted \(Ctrl-C\) before the run ended: no verdict; what was seen so far:\n {2}checks finished: 2 of \d+/);
    expect(tail).toContain('    FAIL    q2.route-get [realserver.reply-route]  rs1 routes replies to 10.0.0.2 via 10.1.1.254');
    expect(tail).toMatch(/hop 3 BROKEN +rs1 -> director int/);
  });

  it('without a keyboard it leaves by itself when the run is over', async () => {
    const { stdout, opts } = io(false);
    const result = await runTui(stream(eventsFor(healthyResult())), opts);
    expect(result?.verdict).toBe('ok');
    expect(stdout.text).toContain('healthy: the test connection was seen at all four hops');
  });

  it('r runs again through rerun(), q quits with the last result', async () => {
    const { stdout, stdin, opts } = io(true);
    let reruns = 0;
    const done = runTui(stream(eventsFor(replyRouteResult())), {
      ...opts,
      rerun: () => {
        reruns += 1;
        return stream(eventsFor(healthyResult()));
      },
    });
    await stdout.shows('r re-run');
    stdin.press('r');
    await stdout.shows(' OK  healthy');
    // The run it replaced is remembered: the new one says where it came from.
    await stdout.shows('), now OK');
    // The second run has its own <Static> log: its checks are printed too.
    await stdout.shows('Q.1 Can each realserver ping the client from its RIP?');
    stdin.press('q');
    const result = await done;
    expect(reruns).toBe(1);
    expect(result?.verdict).toBe('ok');
  });

  it('an engine failure ends the UI and reaches the caller', async () => {
    const { opts } = io(true);
    await expect(runTui(stream(eventsFor(replyRouteResult()), 5), opts)).rejects.toThrow('probe runner exploded');
  });

  it('if the UI itself fails, the run finishes and its result is printed as the text report', async () => {
    const { stdout, opts } = io(true);
    const write = stdout.write;
    // A terminal that refuses every frame Ink writes, but takes plain text.
    stdout.write = (chunk: string) => {
      if (!chunk.startsWith('lvs-doctor: the terminal UI failed')) throw new Error('EPIPE');
      return write(chunk);
    };
    const result = await runTui(stream(eventsFor(replyRouteResult())), opts);
    expect(result?.verdict).toBe('fail');
    expect(stdout.text).toMatch(/^lvs-doctor: the terminal UI failed \(EPIPE\); plain report follows\nlvs-doctor FAIL: realserver\.reply-route on rs1/);
  });

  it('NO_COLOR (non-empty) and --no-color turn colour off', () => {
    expect(colorEnabled(false, {})).toBe(true);
    expect(colorEnabled(true, {})).toBe(false);
    expect(colorEnabled(false, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(false, { NO_COLOR: '' })).toBe(true);
  });
});

describe('runTui: f applies the fix of the selected diagnosis with consent (issue 15)', () => {
  /** A write path that records what the TUI asked of it. */
  function fixer(outcome: { lines: string[]; ok: boolean }) {
    const calls: string[] = [];
    const fix: TuiFixer = {
      plan: async (_result, id) => {
        calls.push(`plan ${id}`);
        return {
          lines: [`fix ${id}`, '  1. on rs1: ip route replace default via 10.1.1.1', '     saved for rollback: the route was: default via 10.1.1.254 dev eth0'],
          apply: async () => {
            calls.push('apply');
            return outcome;
          },
          cancel: async () => void calls.push('cancel'),
        };
      },
    };
    return { fix, calls };
  }

  it('shows the commands and what is saved, applies only on y, then shows the verification', async () => {
    const { stdout, stdin, opts } = io(true);
    const { fix, calls } = fixer({ lines: ['verify: q2.reply-route: was FAIL, now OK', 'fixed and verified: realserver.reply-route'], ok: true });
    const done = runTui(stream(eventsFor(replyRouteResult())), { ...opts, fix });
    await stdout.shows('f fix');
    stdin.press('f');
    await stdout.shows('type y to apply these commands');
    const panel = lastFrame(stdout.text).join('\n');
    expect(panel).toContain('on rs1: ip route replace default via 10.1.1.1');
    expect(panel).toContain('saved for rollback: the route was: default via 10.1.1.254 dev eth0');
    expect(calls).toEqual(['plan realserver.reply-route']);
    stdin.press('y');
    await stdout.shows('was FAIL, now OK');
    expect(calls).toEqual(['plan realserver.reply-route', 'apply']);
    await stdout.shows('any key to close');
    stdin.press('x');
    await new Promise((r) => setTimeout(r, 50));
    expect(lastFrame(stdout.text).join('\n')).not.toContain('any key to close');
    stdin.press('q');
    await done;
  });

  it('any key but y cancels: nothing is applied', async () => {
    const { stdout, stdin, opts } = io(true);
    const { fix, calls } = fixer({ lines: [], ok: true });
    const done = runTui(stream(eventsFor(replyRouteResult())), { ...opts, fix });
    await stdout.shows('f fix');
    stdin.press('f');
    await stdout.shows('type y to apply these commands');
    stdin.press('n');
    await new Promise((r) => setTimeout(r, 50));
    stdin.press('q');
    await done;
    expect(calls).toEqual(['plan realserver.reply-route', 'cancel']);
  });

  it('a rolled-back fix says so; without a write path (replay) f is not offered', async () => {
    const { stdout, stdin, opts } = io(true);
    const { fix } = fixer({ lines: ['verify: q2.reply-route: was FAIL, now FAIL; realserver.reply-route is still diagnosed', 'rolled back: fault still present'], ok: false });
    const done = runTui(stream(eventsFor(replyRouteResult())), { ...opts, fix });
    await stdout.shows('f fix');
    stdin.press('f');
    await stdout.shows('type y to apply');
    stdin.press('y');
    await stdout.shows('rolled back: fault still present');
    stdin.press('x');
    await new Promise((r) => setTimeout(r, 50));
    stdin.press('q');
    await done;

    const replay = io(true);
    const offline = runTui(stream(eventsFor(replyRouteResult())), replay.opts);
    await replay.stdout.shows('q quit');
    expect(replay.stdout.text).not.toContain('f fix');
    replay.stdin.press('f');
    await new Promise((r) => setTimeout(r, 50));
    expect(replay.stdout.text).not.toContain('type y to apply');
    replay.stdin.press('q');
    await offline;
  });
});
