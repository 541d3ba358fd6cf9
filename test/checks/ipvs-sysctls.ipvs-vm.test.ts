// The three IPVS sysctl faults over real outputs of the qemu guest (kernel 6.1; job vs,
// fixtures/captures/ipvs-vm/MANIFEST.md): conn_reuse_mode, expire_nodest_conn, vs.conntrack.
// Each case's director outputs are recorded as the doctor's probes would have read them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { connReuse } from '../../checks/setup/conn-reuse.js';
import { expireNodest } from '../../checks/setup/expire-nodest.js';
import { vsConntrack } from '../../checks/setup/vs-conntrack.js';
import type { CheckDefinition } from '../../src/engine/check-definition.js';
import { evaluateCheck } from '../../src/engine/evaluate.js';
import type { Facts } from '../../src/facts/facts.js';
import { validateGraph } from '../../src/engine/graph.js';
import { collectDiagnoses } from '../../src/engine/result.js';
import { unameParser } from '../../src/probes/own-parsers.js';
import { getParser } from '../../src/parsers/index.js';
import type { CheckResult, Finding } from '../../src/model/check.js';
import { guestFacts, guestTopology, readCapture, recordDirector, recordTestConnection } from '../engine/ipvs-vm-facts.js';
import { FixtureFacts } from './fixture-facts.js';

const SYSCTL = 'sysctl -e net.ipv4.ip_forward net.ipv4.conf net.ipv4.vs';

/** The director's outputs of one case, read through the probes the engine runs. */
async function director(kase: string, files: { ln: string; lnc?: string; iptables?: string; conntrack?: string }): Promise<Facts> {
  const at = (file: string): string => `captures/ipvs-vm/${file}`;
  const fx = new FixtureFacts(guestTopology);
  await fx.file('director', 'uname', at('vs--uname.out'));
  await fx.file('director', 'sysctl', at(`${kase}--sysctl.out`));
  await fx.file('director', 'ipvsadm', at(files.ln));
  if (files.lnc) await fx.file('director', 'ipvsadm-conn', at(files.lnc));
  if (files.iptables) await fx.file('director', 'iptables-save', at(files.iptables));
  if (files.conntrack) await fx.file('director', 'conntrack', at(files.conntrack));
  return fx.facts;
}

function evaluate(check: CheckDefinition, facts: Facts): Finding {
  return check.evaluate({ topology: guestTopology, facts, deps: {} });
}

function runGraph(facts: Facts): CheckResult[] {
  const done = new Map<string, CheckResult>();
  for (const check of validateGraph(CHECKS)) done.set(check.id, evaluateCheck(check, guestTopology, facts, done));
  return [...done.values()];
}

/** The same outputs with the guest's kernel swapped for a Debian buster one (fixtures/public/uname/SOURCES.md). */
function onBuster(facts: Facts): Facts {
  const stdout = readFileSync(join(import.meta.dirname, '../../fixtures/public/uname/debian-buster.out'), 'utf8');
  facts.record({ ok: true, host: 'director', probe: 'uname', command: 'uname -s -r', parsed: unameParser.parse(stdout), stdout, exitCode: 0 });
  return facts;
}

describe('director.conn-reuse-stall (net.ipv4.vs.conn_reuse_mode, real 6.1 guest)', () => {
  it('the captures: on 6.1 a reused client port is rescheduled with conn_reuse_mode=1, and stays with its realserver with 0', () => {
    const bodies = (m: number): string[] => ['1', '2', '3'].map((i) => readCapture(`vs-conn-reuse-${m}--curl-${i}.out`).split('\n')[0]);
    expect(bodies(1)).toEqual(['rs2', 'rs1', 'rs2']);
    expect(bodies(0)).toEqual(['rs2', 'rs2', 'rs2']);
  });

  it('conn_reuse_mode=1 with vs.conntrack=1 on kernel 6.1: pass (5.9 and later do not drop the first SYN)', async () => {
    const f = evaluate(connReuse, await director('vs-conn-reuse-1', { ln: 'vs-conn-reuse-1--ipvsadm-ln-weight0.out' }));
    expect(f).toMatchObject({ verdict: 'pass', summary: expect.stringMatching(/kernel 6\.1\.0-57-cloud-amd64 \(5\.9 or later\)/) });
  });

  it('the same sysctls on a 4.19 kernel (a real Debian buster uname): warn, citing uname and both sysctls', async () => {
    const facts = onBuster(await director('vs-conn-reuse-1', { ln: 'vs-conn-reuse-1--ipvsadm-ln-weight0.out' }));
    const f = evaluate(connReuse, facts);
    expect(f).toMatchObject({ verdict: 'warn', fault: 'director.conn-reuse-stall', faultHosts: ['director'] });
    expect(f.evidence.flatMap((e) => e.lines)).toEqual(['Linux 4.19.0-9-amd64', 'net.ipv4.vs.conn_reuse_mode = 1', 'net.ipv4.vs.conntrack = 1']);
    expect(f.fixes[0].commands.join('\n')).toMatch(/net\.ipv4\.vs\.conntrack=0/);
  });

  it('conn_reuse_mode=0: pass on any kernel (no rescheduling, no drop), saying what it costs', async () => {
    const facts = onBuster(await director('vs-conn-reuse-0', { ln: 'vs-conn-reuse-0--ipvsadm-ln-weight0.out' }));
    expect(evaluate(connReuse, facts)).toMatchObject({ verdict: 'pass', summary: expect.stringMatching(/conn_reuse_mode = 0.*previous realserver/) });
  });
});

describe('director.expire-nodest-off (net.ipv4.vs.expire_nodest_conn, real 6.1 guest)', () => {
  it('expire_nodest_conn=0, rs1 removed while a client is connected to it: warn, the entry to 172.16.1.11:80 is the evidence', async () => {
    const facts = await director('vs-expire-nodest-0', { ln: 'vs-expire-nodest-0--ipvsadm-ln-removed.out', lnc: 'vs-expire-nodest-0--ipvsadm-lnc-removed.out' });
    const f = evaluate(expireNodest, facts);
    expect(f).toMatchObject({ verdict: 'warn', fault: 'director.expire-nodest-off', summary: expect.stringMatching(/1 live connection.* 172\.16\.1\.11:80, no longer in the service.*up to 893 s/) });
    expect(f.evidence[0].lines).toEqual(['net.ipv4.vs.expire_nodest_conn = 0']);
    expect(f.evidence[1].lines).toEqual([expect.stringMatching(/ESTABLISHED 10\.1\.0\.2:41394 +10\.1\.0\.10:80 +172\.16\.1\.11:80/)]);
    expect(f.fixes[0].commands[0]).toBe('sysctl -w net.ipv4.vs.expire_nodest_conn=1');
  });

  it('expire_nodest_conn=0 before the removal: the connection goes to a realserver of the service, pass', async () => {
    const facts = await director('vs-expire-nodest-0', { ln: 'vs-conn-reuse-1--ipvsadm-ln-weight0.out', lnc: 'vs-expire-nodest-0--ipvsadm-lnc-before.out' });
    expect(evaluate(expireNodest, facts).verdict).toBe('pass');
  });

  it('expire_nodest_conn=1: the kernel expired the entry at once; pass', async () => {
    const facts = await director('vs-expire-nodest-1', { ln: 'vs-expire-nodest-1--ipvsadm-ln-removed.out', lnc: 'vs-expire-nodest-1--ipvsadm-lnc-removed.out' });
    expect(readCapture('vs-expire-nodest-1--ipvsadm-lnc-removed.out').trim().split('\n')).toHaveLength(2);
    expect(evaluate(expireNodest, facts)).toMatchObject({ verdict: 'pass', summary: expect.stringMatching(/expire_nodest_conn = 1/) });
  });
});

describe('director.vs-conntrack-off (net.ipv4.vs.conntrack, real 6.1 guest)', () => {
  const kase = (c: number): Promise<Facts> =>
    director(`vs-conntrack-${c}`, { ln: `vs-conntrack-${c}--ipvsadm-ln.out`, lnc: `vs-conntrack-${c}--ipvsadm-lnc.out`, iptables: `vs-conntrack-${c}--iptables-save.out`, conntrack: `vs-conntrack-${c}--conntrack-l.out` });

  it('vs.conntrack=0 with a stateful FORWARD: warn, quoting the policy with its drops and the ctstate rules', async () => {
    const f = evaluate(vsConntrack, await kase(0));
    expect(f).toMatchObject({ verdict: 'warn', fault: 'director.vs-conntrack-off' });
    expect(f.evidence[0].lines).toEqual(['net.ipv4.vs.conntrack = 0']);
    expect(f.evidence[1].lines).toEqual([
      ':FORWARD DROP [8:480]   (8 packets)',
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT   (0 packets)',
      '-A FORWARD -i ext0 -o int0 -m conntrack --ctstate NEW -j ACCEPT   (0 packets)',
    ]);
  });

  it('vs.conntrack=1 with the same rules: pass', async () => {
    expect(evaluate(vsConntrack, await kase(1)).verdict).toBe('pass');
  });

  it('vs.conntrack=0, with the test connection on the wire: the run names director.vs-conntrack-off first, as a failure', async () => {
    const facts = await kase(0);
    await recordTestConnection(facts, 'vs-conntrack-0--tcpdump');
    const diagnoses = collectDiagnoses(runGraph(facts));
    expect(diagnoses[0]).toMatchObject({ id: 'director.vs-conntrack-off', severity: 'fail', hosts: ['director'] });
  });

  it('vs.conntrack=1: the same site works, nothing is diagnosed', async () => {
    const facts = await kase(1);
    await recordTestConnection(facts, 'vs-conntrack-1--tcpdump');
    const results = runGraph(facts);
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => r.id)).toEqual([]);
  });
});

describe('on a director without IPVS the three checks skip, with the reason', async () => {
  it('a netfilter-NAT director (the lab director\'s real iptables-save, DNAT load balancing): skip', () => {
    const facts = guestFacts();
    recordDirector(facts, 'sysctl', 'vs-conntrack-0--sysctl.out', SYSCTL);
    const stdout = readFileSync(join(import.meta.dirname, '../../fixtures/parsers/iptables-save/lab-nft-1.8.9--director-nat-lb.out'), 'utf8');
    const parser = getParser('iptables-save');
    if (parser.kind !== 'text') throw new Error('iptables-save is a text parser');
    facts.record({ ok: true, host: 'director', probe: 'iptables-save', command: 'iptables-save -c', parsed: parser.parse(stdout), stdout, exitCode: 0 });
    for (const check of [connReuse, vsConntrack]) expect(evaluate(check, facts)).toMatchObject({ verdict: 'skip', summary: expect.stringMatching(/IPVS/) });
  });
});
