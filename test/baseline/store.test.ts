// The state directory's last ok run per site, and a session that keeps and then uses it: the
// runs are replays of real recordings (fixtures/bundles), so no host is touched.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { openBaseline } from '../../src/baseline/load.js';
import { BaselineSession } from '../../src/baseline/session.js';
import { findLastOk, lastOkDir, MAX_SITES, saveLastOk } from '../../src/baseline/store.js';
import { stateDir } from '../../src/util/state-dir.js';
import { validateTopology } from '../../src/discover/topology-check.js';
import { runDiagnosis } from '../../src/engine/run.js';
import type { ResultDocument } from '../../src/model/result.js';
import type { Topology } from '../../src/model/topology.js';
import { readBundle, type Bundle } from '../../src/transport/bundle.js';
import { ReplayTransport } from '../../src/transport/replay.js';

const root = new URL('../../fixtures/bundles/', import.meta.url).pathname;
let dir: string;
const saved = process.env.LVS_DOCTOR_STATE_DIR;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-doctor-state-'));
  process.env.LVS_DOCTOR_STATE_DIR = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.LVS_DOCTOR_STATE_DIR;
  else process.env.LVS_DOCTOR_STATE_DIR = saved;
});

async function open(name: string): Promise<{ bundle: Bundle; topology: Topology }> {
  const bundle = await readBundle(join(root, name));
  return { bundle, topology: validateTopology(bundle.manifest.topology, name) };
}

/** A replay of `name` through a session, as diagnose.ts runs a live one. */
async function runThrough(session: BaselineSession, name: string): Promise<ResultDocument> {
  const { bundle, topology } = await open(name);
  const transport = session.wrap(new ReplayTransport(bundle));
  let result: ResultDocument | null = null;
  for await (const e of session.run(runDiagnosis({ transport, topology, checks: CHECKS, mode: 'replay', now: () => new Date(bundle.manifest.createdAt) }))) {
    if (e.type === 'run-end') result = e.result;
  }
  return result!;
}

describe('state directory', () => {
  it('is $LVS_DOCTOR_STATE_DIR, else $XDG_STATE_HOME/lvs-doctor, else ~/.local/state/lvs-doctor', () => {
    expect(stateDir({ LVS_DOCTOR_STATE_DIR: '/x' })).toBe('/x');
    expect(stateDir({ XDG_STATE_HOME: '/s' })).toBe('/s/lvs-doctor');
    expect(stateDir({ HOME: '/h' })).toMatch(/\/\.local\/state\/lvs-doctor$/);
  });

  it('keeps one last ok run per site, replaced by the next, private to its owner', async () => {
    const { bundle, topology } = await open('healthy');
    const status = { verdict: 'ok' as const, summary: 'fine', diagnoses: [], at: bundle.manifest.createdAt };
    await saveLastOk(topology, bundle, status);
    await saveLastOk(topology, bundle, { ...status, summary: 'fine again' });
    expect(readdirSync(join(dir, 'last-ok'))).toEqual([lastOkDir(topology).split('/').pop()]);
    expect(statSync(lastOkDir(topology)).mode & 0o777).toBe(0o700);
    const found = await findLastOk(topology);
    expect(found?.status?.summary).toBe('fine again');
  });

  it(`keeps at most ${MAX_SITES} sites, the oldest go first`, async () => {
    const { bundle, topology } = await open('healthy');
    const small: Bundle = { ...bundle, manifest: { ...bundle.manifest, entries: bundle.manifest.entries.slice(0, 1) } };
    const status = { verdict: 'ok' as const, summary: 'fine', diagnoses: [], at: bundle.manifest.createdAt };
    for (let i = 0; i <= MAX_SITES; i += 1) {
      await saveLastOk({ ...topology, service: { ...topology.service, vport: 1000 + i } }, small, status);
    }
    expect(readdirSync(join(dir, 'last-ok'))).toHaveLength(MAX_SITES);
    expect(await findLastOk({ ...topology, service: { ...topology.service, vport: 1000 } })).toBeNull();
    expect(await findLastOk({ ...topology, service: { ...topology.service, vport: 1000 + MAX_SITES } })).not.toBeNull();
  });
});

describe('a session', () => {
  it('keeps an ok run, not a failed one, and the next run compares with it', async () => {
    const { topology } = await open('healthy');
    const warn = (m: string): never => {
      throw new Error(m);
    };
    await runThrough(new BaselineSession({ topology, baseline: null, keepOk: true, warn }), 'realserver.reply-route');
    expect(await findLastOk(topology)).toBeNull();
    const ok = await runThrough(new BaselineSession({ topology, baseline: null, keepOk: true, warn }), 'healthy');
    expect(ok.baseline).toBeUndefined();
    const kept = await findLastOk(topology);
    expect(kept?.status).toMatchObject({ verdict: 'ok', diagnoses: [] });

    const baseline = await openBaseline(kept!.path, 'last-ok', topology, kept!.status);
    const broken = await runThrough(new BaselineSession({ topology, baseline, keepOk: true, warn }), 'realserver.reply-route');
    expect(broken.baseline).toMatchObject({ source: 'last-ok', path: kept!.path, previous: { verdict: 'ok' } });
    expect(broken.baseline!.ageSeconds).toBeGreaterThan(0);
    const route = broken.baseline!.differences.find((d) => d.host === 'rs1' && d.kind === 'route');
    expect(route).toMatchObject({ before: 'via 10.217.2.1 dev rec-lan', after: 'via 10.217.2.254 dev rec-lan', explains: ['realserver.reply-route'] });
    // The failed run did not replace the kept ok one.
    expect((await findLastOk(topology))?.status?.verdict).toBe('ok');
  });
});
