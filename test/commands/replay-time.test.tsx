// Issue 16.8: a replay reports when the bundle was recorded (its manifest's createdAt), not
// when it was replayed: in the JSON, the text header and the TUI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/commands/diagnose.js';
import type { CommandIO } from '../../src/commands/io.js';
import { replayBundle } from '../../src/commands/replay-bundle.js';
import type { ResultDocument } from '../../src/model/result.js';
import { App } from '../../src/ui/App.js';
import { initialState, reduce } from '../../src/ui/state.js';
import { eventsFor } from '../ui/events.js';

const bundle = new URL('../../fixtures/bundles/realserver.silent-drop', import.meta.url).pathname;
const createdAt = (JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { createdAt: string }).createdAt;

function io(): CommandIO & { stdout: string } {
  const o = {
    stdout: '',
    out: (t: string) => void (o.stdout += t),
    err: () => {},
    readStdin: async () => new Uint8Array(),
    isTTY: false,
    env: {},
  };
  return o;
}

describe('a replay shows the recording time', () => {
  it('the manifest was recorded long before this test', () => {
    expect(Date.now() - Date.parse(createdAt)).toBeGreaterThan(60_000);
  });

  it('json and text of `lvs-doctor replay` carry createdAt', async () => {
    const json = io();
    await replayCommand([bundle, '--format', 'json'], json);
    expect((JSON.parse(json.stdout) as ResultDocument).startedAt).toBe(new Date(createdAt).toISOString());
    const text = io();
    await replayCommand([bundle, '--format', 'text'], text);
    expect(text.stdout.split('\n')[1]).toContain(`mode replay  recorded ${new Date(createdAt).toISOString()}`);
  });

  it('the TUI names it above the packet path', async () => {
    const result = await replayBundle(bundle);
    const state = eventsFor(result).reduce(reduce, initialState);
    const { lastFrame, unmount } = render(<App state={state} elapsedMs={0} color={false} width={100} />);
    const frame = lastFrame() ?? '';
    unmount();
    expect(frame).toContain(`Packet path of the test connection (recorded ${new Date(createdAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')})`);
  });
});
