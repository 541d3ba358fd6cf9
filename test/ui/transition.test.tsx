// The TUI's `r`: the finished screen of the new run says where it came from ("was CRITICAL
// (realserver.reply-route on rs1), now OK"), and shows what changed since the baseline.
import { render } from 'ink-testing-library';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBaseline } from '../../src/baseline/load.js';
import { compareWith } from '../../src/baseline/session.js';
import { statusOf, transitionWords } from '../../src/report/baseline-words.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import { validateTopology } from '../../src/discover/topology-check.js';
import type { ResultDocument } from '../../src/model/result.js';
import { readBundle } from '../../src/transport/bundle.js';
import { App } from '../../src/ui/App.js';
import { initialState, reduce, type ViewState } from '../../src/ui/state.js';
import { healthyResult, replyRouteResult } from '../report/samples.js';
import { eventsFor } from './events.js';

function frame(state: ViewState): string {
  const { lastFrame, unmount } = render(<App state={state} elapsedMs={1000} tick={0} color={false} width={100} canRerun />);
  const out = lastFrame() ?? '';
  unmount();
  return out;
}

/** Two runs as `r` makes them: the first one's result remembered, the second one folded over it. */
function rerun(first: ResultDocument, second: ResultDocument): ViewState {
  const done = eventsFor(first).reduce(reduce, initialState);
  const fresh: ViewState = { ...initialState, runCount: done.runCount, previous: statusOf(done.result!) };
  return eventsFor(second).reduce(reduce, fresh);
}

describe('r shows the transition', () => {
  it('was CRITICAL (realserver.reply-route on rs1), now OK', () => {
    const out = frame(rerun(replyRouteResult(), healthyResult()));
    expect(out).toContain('was CRITICAL (realserver.reply-route on rs1, director.return-path-stalled on director), now OK');
    expect(out).toContain('(since the previous run)');
  });

  it('still failing, when the same fault is still there', () => {
    expect(frame(rerun(replyRouteResult(), replyRouteResult())).replace(/\s+/g, ' ')).toContain('director.return-path-stalled on director), now CRITICAL; still failing (since the previous run)');
  });

  it('what is new and what is gone when the fault moved', () => {
    const moved = replyRouteResult();
    moved.diagnoses = moved.diagnoses.map((d) => (d.id === 'realserver.reply-route' ? { ...d, hosts: ['rs2'] } : d));
    const words = transitionWords(statusOf(replyRouteResult()), moved);
    expect(words).toBe('was CRITICAL (realserver.reply-route on rs1, director.return-path-stalled on director), now CRITICAL; still failing: director.return-path-stalled; gone: realserver.reply-route; new: realserver.reply-route on rs2');
  });

  it('a first run shows no transition', () => {
    expect(frame(eventsFor(healthyResult()).reduce(reduce, initialState))).not.toContain('since the previous run');
  });
});

describe('the baseline on the finished screen', () => {
  it("names rs1's changed route and the diagnosis it explains", async () => {
    const root = new URL('../../fixtures/bundles/', import.meta.url).pathname;
    const now = await readBundle(join(root, 'realserver.reply-route'));
    const topology = validateTopology(now.manifest.topology, 'x');
    const result = await replayBundle(join(root, 'realserver.reply-route'));
    const baseline = await compareWith(await openBaseline(join(root, 'healthy'), 'given', topology), now, result, topology);
    const out = frame(eventsFor({ ...result, baseline }).reduce(reduce, initialState));
    expect(out).toContain('Changed since the baseline: 5 of');
    expect(out).toContain('was OK, now CRITICAL');
    expect(out.replace(/\s+/g, ' ')).toContain('~ rs1 route ip route get 10.217.1.10 from 10.217.2.11: via 10.217.2.1 dev rec-lan -> via 10.217.2.254 dev rec-lan (explains realserver.reply-route)');
  });
});
