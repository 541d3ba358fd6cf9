// The real binary in a real pseudo-terminal (tmux, 80 columns): the screen must show the
// fault id and the packet path with its broken hop, and `q` must leave cleanly with the
// verdict's exit code. Offline on a recorded lab fault; live on the lab when root.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/transport/quote.js';

const root = new URL('../../', import.meta.url).pathname;
const outDir = join(root, '.fc6-tui-dist');
const cli = join(outDir, 'src/cli.js');
const bundle = join(root, 'fixtures/bundles/realserver.reply-route');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skipReason = !hasTmux ? 'tmux is not installed' : !existsSync(join(bundle, 'manifest.json')) ? 'no recorded bundle fixtures/bundles/realserver.reply-route yet' : null;

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the pane until `needle` shows (a condition, not a timing assertion). */
async function screenShows(session: string, needle: string, limitMs = 60_000): Promise<string> {
  const until = Date.now() + limitMs;
  let screen = '';
  while (Date.now() < until) {
    screen = tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
    if (screen.includes(needle)) return screen;
    await pause(200);
  }
  throw new Error(`'${needle}' never showed; last screen:\n${screen}`);
}

async function runInPty(session: string, command: string, statusFile: string): Promise<{ screen: string; exit: number }> {
  // A tall pane so the whole final frame stays visible; 80 columns as the issue asks. Without
  // CI in the environment, as on a person's terminal: under CI the doctor prints text instead.
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '150', `env -u CI -u CONTINUOUS_INTEGRATION sh -c ${shellQuote(command)}; echo $? > ${statusFile}; sleep 60`);
  try {
    const screen = await screenShows(session, 'q quit');
    tmux('send-keys', '-t', session, 'q');
    const until = Date.now() + 20_000;
    while (!existsSync(statusFile) && Date.now() < until) await pause(100);
    return { screen, exit: Number(readFileSync(statusFile, 'utf8').trim()) };
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
}

describe.skipIf(skipReason !== null)(`the TUI in a pseudo-terminal${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let work: string;

  beforeAll(() => {
    // A private build of the current tree, so the test runs this code and not a stale dist/.
    spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.json'), '--outDir', outDir], { stdio: 'ignore' });
    if (!existsSync(cli)) throw new Error(`the build did not produce ${cli}`);
    work = mkdtempSync(join(tmpdir(), 'fc6-tui-'));
  }, 180_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('replay of a recorded lab fault: fault id, the broken hop in the packet path, q exits with 2', async () => {
    const status = join(work, 'replay.status');
    const { screen, exit } = await runInPty('fc6tui-replay', `cd ${root} && node ${cli} replay ${bundle}`, status);
    expect(screen).toContain('CRITICAL');
    expect(screen).toContain('1. realserver.reply-route on rs1');
    expect(screen).toContain('Packet path of the test connection');
    expect(screen).toMatch(/ ✗ 3 rs1 -> director int/);
    expect(screen).toMatch(/int ✗┄┄3┄┄ rs1/);
    expect(exit).toBe(2);
  }, 120_000);

  it('80x24 then resized to 100x40: the visible screen always holds the verdict, the packet path and the keys (issue 16.2)', async () => {
    const session = 'fc6tui-fit';
    const statusFile = join(work, 'fit.status');
    const fitBundle = join(root, 'fixtures/bundles/realserver.silent-drop');
    const command = `cd ${root} && node ${cli} replay ${fitBundle}`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `env -u CI -u CONTINUOUS_INTEGRATION sh -c ${shellQuote(command)}; echo $? > ${statusFile}; sleep 60`);
    try {
      // The visible pane only (no -S): what a person sees without scrolling back.
      const visible = async (needle: string): Promise<string[]> => {
        const until = Date.now() + 60_000;
        let screen = '';
        while (Date.now() < until) {
          screen = tmux('capture-pane', '-p', '-t', session);
          if (screen.includes(needle)) return screen.split('\n');
          await pause(200);
        }
        throw new Error(`'${needle}' never showed; last screen:\n${screen}`);
      };
      const small = await visible('q quit');
      const smallText = small.join('\n');
      expect(smallText).toContain(' CRITICAL  realserver.silent-drop on rs1');
      expect(smallText).toContain('Packet path of the test connection');
      expect(smallText).toMatch(/ ✗ 3 rs1 -> director int/);
      expect(smallText).toContain('space/PgDn');
      tmux('resize-window', '-t', session, '-x', '100', '-y', '40');
      const big = (await visible('Checks to look at')).join('\n');
      expect(big).toContain(' CRITICAL  realserver.silent-drop on rs1');
      expect(big).toContain('Packet path of the test connection');
      expect(big).toContain('q quit');
      tmux('send-keys', '-t', session, 'q');
      const until = Date.now() + 20_000;
      while (!existsSync(statusFile) && Date.now() < until) await pause(100);
      expect(Number(readFileSync(statusFile, 'utf8').trim())).toBe(2);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }, 120_000);

  describe.skipIf(process.getuid?.() !== 0)('live on the lab (root)', () => {
    const prefix = 'fc6t';
    afterAll(async () => {
      const { labDown } = await import('../../src/lab/index.js');
      await labDown(prefix);
    });

    it('realserver.reply-route injected: the live TUI names it and draws the broken hop; q exits with 2', async () => {
      const { labUp } = await import('../../src/lab/index.js');
      const { injectFault } = await import('../../src/lab/faults.js');
      const lab = await labUp({ prefix });
      await injectFault(prefix, 'realserver.reply-route', {});
      const status = join(work, 'live.status');
      const { screen, exit } = await runInPty('fc6tui-live', `ip netns exec ${lab.opsNetns} node ${cli} diagnose --inventory ${lab.inventory}`, status);
      expect(screen).toContain('realserver.reply-route on rs');
      expect(screen).toMatch(/ ✗ 3 rs\d -> director int/);
      expect(exit).toBe(2);
    }, 180_000);
  });
});
