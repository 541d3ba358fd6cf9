// Frames of the TUI on every recorded bundle (fixtures/bundles/<case>/): the real engine's
// event stream, replayed offline, folded through the reducer and rendered at 80 columns.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { runDiagnosis } from '../../src/engine/run.js';
import type { RunEvent } from '../../src/model/events.js';
import { openReplay } from '../../src/transport/replay.js';
import { App } from '../../src/ui/App.js';
import { applyKey, initialState, logItems, navigableChecks, reduce } from '../../src/ui/state.js';
import type { ViewState } from '../../src/ui/state.js';
import { followSelection, scrollPage } from '../../src/ui/screen.js';

const bundlesDir = new URL('../../fixtures/bundles/', import.meta.url).pathname;
const bundles = existsSync(bundlesDir)
  ? readdirSync(bundlesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(bundlesDir, d.name, 'manifest.json')))
      .map((d) => d.name)
      .sort()
  : [];

async function replayEvents(dir: string): Promise<RunEvent[]> {
  const transport = await openReplay(dir);
  const topology = transport.topology;
  if (!topology) throw new Error(`${dir}: no topology in the manifest`);
  const events: RunEvent[] = [];
  try {
    for await (const e of runDiagnosis({ transport, topology, checks: CHECKS, mode: 'replay' })) events.push(e);
  } finally {
    await transport.close();
  }
  return events;
}

const NAGIOS_WORD = { ok: 'OK', warn: 'WARNING', fail: 'CRITICAL', unknown: 'UNKNOWN' } as const;

describe.skipIf(bundles.length === 0)('TUI frames on recorded bundles', () => {
  for (const name of bundles) {
    it(`${name}: verdict, first fault, packet path with its broken hop, within 80 columns`, async () => {
      const events = await replayEvents(join(bundlesDir, name));
      const end = events.at(-1);
      if (end?.type !== 'run-end') throw new Error('the replay did not end with run-end');
      const result = end.result;
      const { lastFrame, unmount } = render(<App state={events.reduce(reduce, initialState)} elapsedMs={result.durationMs} color={false} width={80} />);
      const frame = lastFrame() ?? '';
      unmount();

      expect(frame).toContain(` ${NAGIOS_WORD[result.verdict]} `);
      const first = result.diagnoses[0];
      if (first) expect(frame).toContain(`1. ${first.id} on ${first.hosts.join(', ')}`);
      if (result.hops.length > 0) {
        expect(frame).toContain('Packet path of the test connection');
        const brokenIndex = result.hops.find((h) => h.status === 'missing' || h.observations.some((o) => o.status === 'missing'))?.index;
        if (brokenIndex === undefined) expect(frame).not.toMatch(/^ ✗ \d /m);
        else expect(frame).toMatch(new RegExp(`^ ✗ ${brokenIndex} `, 'm'));
      }
      for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

      // The cursor starts on the check that named the first (root-cause) diagnosis.
      if (first) expect(frame).toMatch(new RegExp(`^› . ${first.check.replace(/\./g, '\\.')} `, 'm'));

      const digest = JSON.parse(readFileSync(join(bundlesDir, name, 'expected-digest.json'), 'utf8')) as { verdict?: string };
      if (digest.verdict) expect(result.verdict).toBe(digest.verdict);
    });
  }
});

/** The live part of a frame: what follows the <Static> log (one row per log item). */
function screenOf(state: ViewState, width: number, height: number): string[] {
  const { lastFrame, unmount } = render(<App state={state} elapsedMs={0} color={false} width={width} height={height} canRerun />);
  const lines = (lastFrame() ?? '').split('\n');
  unmount();
  return lines.slice(logItems(state.finished).length);
}

describe.skipIf(bundles.length === 0)('the finished screen fits the terminal (issue 16.2)', () => {
  for (const name of ['realserver.silent-drop', 'realserver.rip-missing', 'director.send-redirects', 'healthy']) {
    for (const [width, height] of [[80, 40], [80, 24], [100, 30]] as const) {
      it(`${name} at ${width}x${height}: verdict and packet path in view, at most ${height - 1} rows, the rest scrolls`, async () => {
        const events = await replayEvents(join(bundlesDir, name));
        const state = events.reduce(reduce, initialState);
        const result = state.result!;
        const screen = screenOf(state, width, height);
        expect(screen.length).toBeLessThanOrEqual(height - 1);
        for (const line of screen) expect([...line].length).toBeLessThanOrEqual(width);
        expect(screen[0]).toContain(` ${NAGIOS_WORD[result.verdict]} `);
        expect(screen.some((l) => l.startsWith('Packet path of the test connection'))).toBe(true);
        for (const hop of [1, 2, 3, 4]) expect(screen.some((l) => new RegExp(`^ . ${hop} `).test(l))).toBe(true);
        expect(screen.at(-1)).toContain('q quit');
        const first = result.diagnoses[0];
        if (first) expect(screen.join('\n')).toContain(`1. ${first.id} on`);

        // Paging down reaches the end of the check list; moving the cursor keeps it in view.
        let s = state;
        for (let i = 0; i < 40; i++) s = scrollPage(s, 1, width, height);
        const bottom = screenOf(s, width, height);
        expect(bottom.length).toBeLessThanOrEqual(height - 1);
        expect(bottom.join('\n')).toContain(` ${navigableChecks(state).at(-1)!.id}  `);
        expect(bottom.join('\n')).not.toContain('space/PgDn');
        s = state;
        for (let i = 0; i < 6; i++) {
          s = followSelection(applyKey(s, 'down'), width, height);
          expect(screenOf(s, width, height).some((l) => l.startsWith('›'))).toBe(true);
        }
        s = followSelection(applyKey(s, 'toggle'), width, height);
        expect(screenOf(s, width, height).some((l) => l.startsWith('›'))).toBe(true);
      });
    }
  }
});
