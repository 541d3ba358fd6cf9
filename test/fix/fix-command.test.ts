// `--fix` and `rollback` end to end, offline: the audit bundles of real lab sessions
// (fixtures/fix-sessions) replayed through the command. The same diagnosis, reads, writes and
// verification happen in the same order, so a change to any step's argv or order misses.
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixCommand, FIX_EXIT, rollbackCommand, tuiFixer } from '../../src/commands/fix.js';
import { CHECKS } from '../../checks/index.js';
import { runDiagnosis } from '../../src/engine/run.js';
import type { ResultDocument } from '../../src/model/result.js';
import type { CommandIO } from '../../src/commands/io.js';
import type { Topology } from '../../src/model/topology.js';
import { openReplay } from '../../src/transport/replay.js';

const sessions = join(import.meta.dirname, '../../fixtures/fix-sessions');

function io(env: NodeJS.ProcessEnv): CommandIO & { text: () => string } {
  let out = '';
  return { out: (t) => void (out += t), err: (t) => void (out += t), readStdin: async () => new Uint8Array(), isTTY: false, env, text: () => out };
}

async function replay(dir: string): Promise<{ transport: Awaited<ReturnType<typeof openReplay>>; topology: Topology }> {
  const transport = await openReplay(join(sessions, dir));
  return { transport, topology: transport.topology! };
}

const stateDirs: string[] = [];
afterAll(() => stateDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function stateEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-doctor-fix-test-'));
  stateDirs.push(dir);
  return { LVS_DOCTOR_STATE_DIR: dir };
}

function lastRecord(env: NodeJS.ProcessEnv): { status: string; applied: number; verification?: string } {
  const dir = readFileSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes', 'last'), 'utf8').trim();
  return JSON.parse(readFileSync(join(dir, 'fix.json'), 'utf8'));
}

describe('lvs-doctor --fix (replayed lab sessions)', () => {
  it('applies, verifies (was FAIL, now OK), records; rollback undoes it from the saved state', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('realserver.reply-route/audit');
    const o = io(env);
    const code = await fixCommand({ id: 'realserver.reply-route', yes: true, dryRun: false }, transport, topology, o);
    expect(o.text()).toContain('1. on rs1: ip route replace default via 10.219.2.1');
    expect(o.text()).toContain('rollback: ip route replace default via 10.219.2.254 dev fix1-lan');
    expect(o.text()).toContain('verify: q2.reply-route: was FAIL, now OK');
    expect(code).toBe(FIX_EXIT.verified);
    expect(lastRecord(env)).toMatchObject({ status: 'verified', applied: 1 });
    // The audit bundle of this session holds the write, in order after the reads.
    const fixDir = readFileSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes', 'last'), 'utf8').trim();
    const audit = JSON.parse(readFileSync(join(fixDir, 'audit', 'manifest.json'), 'utf8')) as { entries: { argv: string[] }[] };
    const argvs = audit.entries.map((e) => e.argv.join(' '));
    expect(argvs.indexOf('ip route replace default via 10.219.2.1')).toBeGreaterThan(argvs.indexOf('ip route show exact default'));

    const back = await replay('realserver.reply-route/rollback');
    const r = io(env);
    expect(await rollbackCommand([], r, () => back.transport)).toBe(0);
    expect(r.text()).toContain('rolled back on rs1: ip route replace default via 10.219.2.254 dev fix1-lan -> ok');
    expect(lastRecord(env).status).toBe('rolled-back');
    const again = io(env);
    expect(await rollbackCommand([], again, () => back.transport)).toBe(0);
    expect(again.text()).toMatch(/nothing to roll back: .* rolled back already/);
  });

  it('rolls back by itself when the verifying run still diagnoses the fault', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('director.firewall-drop-two-rules/audit');
    const o = io(env);
    const code = await fixCommand({ id: 'director.firewall-drop', yes: true, dryRun: false }, transport, topology, o);
    expect(o.text()).toContain('director.firewall-drop is still diagnosed');
    expect(o.text()).toContain('rolled back on director: iptables -t filter -I FORWARD 2 -s 10.219.1.10/32 -i fix1-ext -m comment --comment lvs-doctor-lab -j DROP -> ok');
    expect(o.text()).toContain('rolled back: fault still present');
    expect(code).toBe(FIX_EXIT.rolledBack);
    expect(lastRecord(env).status).toBe('rolled-back');
  });

  it('a real-IPVS session (ipvsadm -e, --trace-drops): only the planning run is traced; rollback puts the weights back', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('director.no-weight-ipvs/audit');
    const o = io(env);
    const code = await fixCommand({ id: 'director.no-weight', yes: true, dryRun: false, traceDrops: true }, transport, topology, o);
    expect(o.text()).toContain('applied on director: ipvsadm -e -t 10.226.100.1:80 -r 10.226.2.13:8080 -m -w 1 -> ok');
    expect(o.text()).toContain('verify: setup.weights: was FAIL, now OK');
    expect(code).toBe(FIX_EXIT.verified);
    // The audit of this session: the drop traces belong to the run that planned the fix.
    const fixDir = readFileSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes', 'last'), 'utf8').trim();
    const audit = JSON.parse(readFileSync(join(fixDir, 'audit', 'manifest.json'), 'utf8')) as { entries: { argv: string[] }[] };
    const firstWrite = audit.entries.findIndex((e) => e.argv[0] === 'ipvsadm' && e.argv[1] === '-e');
    const traces = audit.entries.flatMap((e, i) => (e.argv.some((a) => a.includes('lvsd-trace')) ? [i] : []));
    expect(traces.length).toBe(topology.realservers.length + 2);
    expect(Math.max(...traces)).toBeLessThan(firstWrite);

    const back = await replay('director.no-weight-ipvs/rollback');
    const r = io(env);
    expect(await rollbackCommand([], r, () => back.transport)).toBe(0);
    expect(r.text()).toContain('rolled back on director: ipvsadm -e -t 10.226.100.1:80 -r 10.226.2.11:80 -m -w 0 -> ok');
  });

  it('--dry-run prints the plan, writes nothing, keeps no state', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('realserver.reply-route/audit');
    const o = io(env);
    expect(await fixCommand({ id: 'realserver.reply-route', yes: false, dryRun: true }, transport, topology, o)).toBe(0);
    expect(o.text()).toContain('saved for rollback: the route was: default via 10.219.2.254 dev fix1-lan');
    expect(o.text()).toContain('dry run: nothing was run on any host');
    expect(o.text()).not.toContain('applied on');
    expect(existsSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes'))).toBe(false);
  });

  it('without --yes and without a terminal nothing is applied', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('realserver.reply-route/audit');
    const o = io(env);
    expect(await fixCommand({ id: 'realserver.reply-route', yes: false, dryRun: false }, transport, topology, o)).toBe(FIX_EXIT.notApplied);
    expect(o.text()).toContain('not applied: give --yes');
    expect(o.text()).not.toContain('applied on');
    expect(existsSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes', 'last'))).toBe(false);
  });

  it('a fault that is not diagnosed is not fixed', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('realserver.reply-route/audit');
    const o = io(env);
    expect(await fixCommand({ id: 'director.rp-filter', yes: true, dryRun: false }, transport, topology, o)).toBe(FIX_EXIT.notDiagnosed);
    expect(o.text()).toMatch(/director.rp-filter is not diagnosed now .*realserver.reply-route/);
    // What the run found instead, check by check (the one that named the fault among them).
    expect(o.text()).toMatch(/\n  q2\.reply-route fail: .*rs1/);
    expect(o.text()).not.toMatch(/\n  \S+ pass: /);
    expect(readdirSync(join(env.LVS_DOCTOR_STATE_DIR!, 'fixes')).includes('last')).toBe(false);
  });

  it('rollback with no fix applied says so', async () => {
    const o = io(stateEnv());
    expect(await rollbackCommand([], o, () => { throw new Error('no transport needed'); })).toBe(0);
    expect(o.text()).toContain('nothing to roll back: no fix was applied');
  });

  it('the TUI write path plans, applies on request, verifies, and leaves the TUI transport open', async () => {
    const env = stateEnv();
    const { transport, topology } = await replay('realserver.reply-route/audit');
    let closed = 0;
    const tuiTransport = { run: transport.run.bind(transport), runTogether: transport.runTogether.bind(transport), close: async () => void (closed += 1) };
    const run = runDiagnosis({ transport: tuiTransport, topology, checks: CHECKS, mode: 'live' });
    let next = await run.next();
    while (!next.done) next = await run.next();
    const before: ResultDocument = next.value;
    const planned = await tuiFixer(tuiTransport, topology, io(env)).plan(before, 'realserver.reply-route');
    expect(planned.lines.join('\n')).toContain('saved for rollback: the route was: default via 10.219.2.254 dev fix1-lan');
    const outcome = await planned.apply!();
    expect(outcome.ok).toBe(true);
    expect(outcome.lines).toContain('verify: q2.reply-route: was FAIL, now OK');
    expect(closed).toBe(0);
    expect(lastRecord(env).status).toBe('verified');
  });
});
