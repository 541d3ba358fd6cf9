// Issue 16.6: a first run against hosts whose keys are not known. The real SshTransport runs a
// stand-in `ssh` that answers as OpenSSH does with StrictHostKeyChecking=yes and an unknown
// key (sshconnect.c: "No ED25519 host key is known for HOST and you have requested strict
// checking." then "Host key verification failed.", exit 255). The cause and the next step
// (--accept-new-host-keys) must come first in every face.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { runDiagnosis } from '../../src/engine/run.js';
import type { ResultDocument } from '../../src/model/result.js';
import { formatNagios } from '../../src/report/nagios.js';
import { formatText } from '../../src/report/text.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { openReplay } from '../../src/transport/replay.js';
import { App } from '../../src/ui/App.js';
import { initialState, logItems, reduce } from '../../src/ui/state.js';
import type { RunEvent } from '../../src/model/events.js';
import { schemaErrors } from '../report/schema-validator.js';
import { discoverTopology } from '../../src/discover/discover.js';

const UNKNOWN_KEY = `#!/bin/sh
for a do last="$a"; done
case "$*" in *" -O "*) exit 255 ;; esac
printf 'No ED25519 host key is known for %s and you have requested strict checking.\\nHost key verification failed.\\n' "director" >&2
exit 255
`;

let dir: string;
let events: RunEvent[] = [];
let result: ResultDocument;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvsd-firstrun-'));
  await writeFile(join(dir, 'ssh'), UNKNOWN_KEY);
  await chmod(join(dir, 'ssh'), 0o755);
  // The lab's topology (a recorded bundle's), every host over ssh.
  const replay = await openReplay(new URL('../../fixtures/bundles/healthy', import.meta.url).pathname);
  const topology = replay.topology!;
  await replay.close();
  const hosts = [topology.director, topology.client, ...topology.realservers];
  const transport = new SshTransport({ hosts, sshPath: join(dir, 'ssh'), connectTimeoutSec: 2 });
  try {
    for await (const e of runDiagnosis({ transport, topology, checks: CHECKS, mode: 'live' })) events.push(e);
  } finally {
    await transport.close();
  }
  const end = events.at(-1);
  if (end?.type !== 'run-end') throw new Error('no run-end');
  result = end.result;
}, 60_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('a first run against unknown host keys', () => {
  it('JSON: the director is unreachable with its reason and the hint; the summary and unproven[0] lead with them', () => {
    expect(schemaErrors(result)).toEqual([]);
    const director = result.hosts.find((h) => h.role === 'director')!;
    expect(director).toMatchObject({ status: 'unreachable', reason: expect.stringMatching(/^host-key: /) });
    expect(director.hint).toContain('--accept-new-host-keys');
    expect(result.summary).toMatch(/^director \(director\) could not be reached \(and \d+ more hosts?\): its ssh host key is not known yet \(first contact\); next: .*--accept-new-host-keys/);
    expect(result.unproven[0]).toMatch(/^director \(director\) could not be reached: host-key: .*Host key verification failed\..*; next: .*--accept-new-host-keys/);
  });

  it('text: the cause and the next step in the first lines', () => {
    const lines = formatText(result).split('\n');
    expect(lines[0]).toContain('--accept-new-host-keys');
    expect(lines[2]).toMatch(/^ {2}cannot reach director \(director\): host-key: /);
    expect(lines[3]).toMatch(/^ {4}next: .*--accept-new-host-keys/);
  });

  it('nagios: the status line says it', () => {
    expect(formatNagios(result).text.split('\n')[0]).toMatch(/^LVS-DOCTOR UNKNOWN - director \(director\) could not be reached.*--accept-new-host-keys/);
  });

  it('TUI: the first rows under the packet path are the cause and the next step', () => {
    const state = events.reduce(reduce, initialState);
    const { lastFrame, unmount } = render(<App state={state} elapsedMs={0} color={false} width={80} height={24} />);
    const screen = (lastFrame() ?? '').split('\n').slice(logItems(state.finished).length);
    unmount();
    const at = screen.findIndex((l) => l.startsWith('cannot reach director (director): host-key:'));
    expect(at).toBeGreaterThan(0);
    expect(screen.slice(at, at + 4).join(' ')).toContain('--accept-new-host-keys');
  });
});

describe('discovery (--director) against an unknown host key', () => {
  it('says the cause and the next step before what ssh printed', async () => {
    const transport = new SshTransport({ hosts: [{ name: 'director', role: 'director', access: 'ssh', ssh: { host: 'lb1.example' } }], sshPath: join(dir, 'ssh'), connectTimeoutSec: 2 });
    try {
      await expect(discoverTopology(transport, { director: 'lb1.example' })).rejects.toThrow(
        /^cannot reach the director: its ssh host key is not known yet \(first contact\); next: .*--accept-new-host-keys \(.*Host key verification failed\.\)$/,
      );
    } finally {
      await transport.close();
    }
  });
});
