import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/model/events.js';
import { App } from '../../src/ui/App.js';
import { applyKey, initialState, navigableChecks, reduce } from '../../src/ui/state.js';
import type { ViewState } from '../../src/ui/state.js';
import { healthyResult, replyRouteResult } from '../report/samples.js';
import { eventsFor } from './events.js';

const fold = (events: RunEvent[], upTo = events.length): ViewState => events.slice(0, upTo).reduce(reduce, initialState);

function frame(state: ViewState, color = false): string {
  const { lastFrame, unmount } = render(<App state={state} elapsedMs={2300} tick={0} color={color} width={80} canRerun />);
  const out = lastFrame() ?? '';
  unmount();
  return out;
}

describe('reduce', () => {
  it('follows probes per host and checks as they start and end', () => {
    const events = eventsFor(replyRouteResult());
    const s = fold(events, 3);
    expect(s.status).toBe('running');
    expect(s.hosts.find((h) => h.name === 'client')).toMatchObject({ started: 1, done: 0, current: 'ip -o addr' });
    const mid = fold(events, events.findIndex((e) => e.type === 'check-start') + 1);
    expect(mid.running).toEqual(['setup.virtual-service']);
    const done = fold(events);
    expect(done.status).toBe('done');
    expect(done.finished.map((c) => c.id)).toEqual(replyRouteResult().checks.map((c) => c.id));
    expect(done.hosts.find((h) => h.name === 'director')).toMatchObject({ started: 1, done: 1, failed: 0 });
  });

  it('keys move over the checks that did not pass and expand one', () => {
    let s = fold(eventsFor(replyRouteResult()));
    expect(navigableChecks(s).map((c) => c.id)).toEqual(['q2.route-get', 'q3.test-connection', 'q4.listener', 'q4.rs2']);
    s = applyKey(applyKey(applyKey(applyKey(applyKey(s, 'down'), 'down'), 'down'), 'down'), 'up');
    expect(s.cursor).toBe(2);
    s = applyKey(applyKey(s, 'up'), 'up');
    s = applyKey(s, 'toggle');
    expect(s.expanded).toEqual(['q2.route-get']);
    expect(applyKey(s, 'toggle').expanded).toEqual([]);
    expect(applyKey(s, 'fixes').showFixes).toBe(false);
  });
});

describe('App frames', () => {
  it('while running: spinner on the running check, per-host progress, elapsed time', () => {
    const events = eventsFor(replyRouteResult());
    const at = events.findIndex((e) => e.type === 'check-start' && e.id === 'q2.route-get') + 1;
    const out = frame(fold(events, at));
    expect(out).toContain('lvs-doctor  TCP 10.0.0.10:80  ⠋ checks  2.3s');
    expect(out).toContain('⠋ q2.route-get');
    expect(out).toMatch(/ ✓ setup\.virtual-service  TCP 10\.0\.0\.10:80 is a Masq service/);
    expect(out).toMatch(/director +█{10}  1\/1/);
    expect(out).toMatch(/rs2 +·{10}  0\/0  off-limits/);
    expect(out).not.toContain('Checks to look at');
  });

  it('fault: the fault in one sentence, evidence, fixes per host, and the broken hop with what came instead', () => {
    const out = frame(fold(eventsFor(replyRouteResult())));
    expect(out).toContain(' CRITICAL  realserver.reply-route on rs1: rs1 routes replies to 10.0.0.2 via');
    expect(out).toContain('1. realserver.reply-route on rs1: rs1 routes replies to 10.0.0.2 via 10.1.1.254,\n   not the director');
    expect(out).toContain('   evidence rs1$ ip route get 10.0.0.2 from 10.1.1.11  (not via the DIP\n       10.1.1.1)');
    expect(out).toContain('     | 10.0.0.2 from 10.1.1.11 via 10.1.1.254 dev eth0 uid 0');
    expect(out).toContain('     rs1# ip route replace default via 10.1.1.1');
    expect(out).toContain('   client ──1──▶ ext [director] int ──2──▶ rs1');
    expect(out).toContain('   client ◀┄┄4┄┄ ext [director] int ✗┄┄3┄┄ rs1');
    expect(out).toMatch(/ ✗ 3 rs1 -> director int +10\.1\.1\.11:8080 > 10\.0\.0\.2:41234/);
    expect(out).toContain('       instead: rs1 eth0: IP 10.1.1.11.8080 > 10.0.0.2.41234: Flags [S.]');
    expect(out).toMatch(/ · 4 director ext -> client/);
    expect(out).toContain('›');
    expect(out).toContain('q quit');
  });

  it('healthy: what was proven, every hop seen, no fault', () => {
    const out = frame(fold(eventsFor(healthyResult())));
    expect(out).toContain(' OK  healthy: the test connection was seen at all four hops');
    expect(out).toContain('  + hop 1 seen on director eth0');
    expect(out).toContain('   client ◀──4── ext [director] int ◀──3── rs1');
    expect(out).not.toContain('✗');
    expect(out).toContain('? not proven: rs2 is off-limits');
  });

  it('enter expands the selected check with its evidence; f hides the fixes', () => {
    let s = fold(eventsFor(replyRouteResult()));
    s = applyKey(applyKey(s, 'toggle'), 'fixes');
    const out = frame(s);
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.includes('› ✗ q2.route-get'));
    expect(at).toBeGreaterThan(-1);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '      evidence rs1$ ip route get 10.0.0.2 from 10.1.1.11  (not via the DIP',
      '          10.1.1.1)',
      '        | 10.0.0.2 from 10.1.1.11 via 10.1.1.254 dev eth0 uid 0',
    ]);
    expect(out).not.toContain('rs1# ip route replace');
    expect(out).toContain('s show fixes');
    expect(out).not.toContain('f fix');
  });

  it('no colour means no escape codes for colour; colour on means the broken hop is red', () => {
    const plain = frame(fold(eventsFor(replyRouteResult())), false);
    expect(plain).not.toMatch(/\u001b\[3\dm/);
    const level = chalk.level;
    chalk.level = 1; // the test's stdout is no terminal; pretend it is one that shows colour
    try {
      const coloured = frame(fold(eventsFor(replyRouteResult())), true);
      expect(coloured).toMatch(/\u001b\[31m[^\n]*3 rs1 -> director int/);
    } finally {
      chalk.level = level;
    }
  });

  it('fits in 80 columns', () => {
    for (const doc of [healthyResult(), replyRouteResult()]) {
      const events = eventsFor(doc);
      for (const upTo of [3, events.length - 2, events.length]) {
        for (const line of frame(fold(events, upTo)).split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
      }
    }
  });
});
