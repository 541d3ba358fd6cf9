// The lab with nft numgen load balancing: round robin, a pinned fault and a service-level fault
// rebuild the nft table correctly, and down leaves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoundRobin, injectFault, labDown, labExec, labUp, revertFault, type LabInfo } from '../../src/lab/index.js';
import { labSkipReason } from './helpers.js';

const PREFIX = 'labnft';
const skip = labSkipReason(PREFIX);
if (skip) console.warn(`test/lab/lab-nft.test.ts skipped: ${skip}`);

describe.skipIf(skip !== null)('lab with --nat nft (prefix labnft)', () => {
  let info: LabInfo;

  beforeAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
    info = await labUp({ prefix: PREFIX, realservers: 4, nat: 'nft' });
  });

  afterAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
  });

  it('balances with numgen over all four realservers', async () => {
    const ruleset = await labExec(PREFIX, 'director', ['nft', 'list', 'table', 'ip', 'lvslab']);
    expect(ruleset.stdout).toMatch(/numgen inc mod 4 map/);
    const r = await checkRoundRobin(PREFIX, 8);
    expect(r.ok).toBe(true);
    expect(new Set(r.servedBy)).toEqual(new Set(['rs1', 'rs2', 'rs3', 'rs4']));
  });

  it('pins every connection to the target while a realserver fault is active', async () => {
    await injectFault(PREFIX, 'realserver.firewall-reject', { target: 'rs4' });
    const ruleset = await labExec(PREFIX, 'director', ['nft', 'list', 'table', 'ip', 'lvslab']);
    expect(ruleset.stdout).toMatch(new RegExp(`mod 1 map \\{ 0 : ${info.realservers[3].rip.replace(/\./g, '\\.')} \\. 80 \\}`));
    const denied = await labExec(PREFIX, 'client', ['curl', '-s', '--max-time', '2', `http://${info.service.vip}/`]);
    expect(denied.exitCode).toBe(7);
    await revertFault(PREFIX, 'realserver.firewall-reject');
    expect((await checkRoundRobin(PREFIX, 4)).ok).toBe(true);
  });

  it('answers port unreachable with no usable realserver, and recovers', async () => {
    await injectFault(PREFIX, 'director.no-weight');
    const r = await labExec(PREFIX, 'client', ['curl', '-s', '--max-time', '2', `http://${info.service.vip}/`]);
    expect(r.exitCode).toBe(7);
    const ruleset = await labExec(PREFIX, 'director', ['nft', 'list', 'table', 'ip', 'lvslab']);
    expect(ruleset.stdout).toMatch(/reject/);
    expect(ruleset.stdout).not.toMatch(/numgen/);
    await revertFault(PREFIX, 'director.no-weight');
    expect((await checkRoundRobin(PREFIX, 4)).ok).toBe(true);
  });

  it('comes down and leaves nothing behind', async () => {
    expect((await labDown(PREFIX)).leftovers).toEqual([]);
  });
});
