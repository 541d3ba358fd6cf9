// --trace-drops on the real traces of the drp1 lab (fixtures/parsers/kfree-skb-trace): the
// parser, which drops are the test connection's on which host, and the evidence they become.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKfreeSkbTrace } from '../../src/parsers/kfree-skb-trace.js';
import { ParseError } from '../../src/model/parse-error.js';
import { matchDrops, type DropHost, type DropTraceFacts } from '../../src/facts/drop-match.js';
import { withDropEvidence, dropTracesOf } from '../../src/engine/drop-evidence.js';
import { readDropTrace } from '../../src/engine/drop-trace-phase.js';
import { dropTraceProbe, traceFailure, TRACE_ARMED } from '../../src/probes/drop-trace.js';
import type { CheckResult } from '../../src/model/check.js';

const dir = join(import.meta.dirname, '../../fixtures/parsers/kfree-skb-trace');
const trace = (name: string) => parseKfreeSkbTrace(readFileSync(join(dir, `drp1lab--${name}.out`), 'utf8'));
// The drp1 lab's addresses (SOURCES.md).
const flow = { cip: '10.104.1.10', vip: '10.104.100.1', rips: ['10.104.2.11', '10.104.2.12', '10.104.2.13'] };
const director: DropHost = { role: 'director', name: 'director', inside: ['drp1-int'] };
const rs = (n: number): DropHost => ({ role: 'realserver', name: `rs${n}`, rip: flow.rips[n - 1] });
const client: DropHost = { role: 'client', name: 'client' };
const reasons = (name: string, host: DropHost) => [...new Set(matchDrops(trace(name), host, flow).map((d) => `${d.reason}@${d.dev}`))];

describe('kfree-skb-trace parser', () => {
  it('reads the script header and the four event kinds', () => {
    const t = trace('director-rp-filter');
    expect(t.instance).toMatch(/^lvsd-[0-9a-f]{8}$/);
    expect(t.interfaces).toContainEqual({ name: 'drp1-ext', ifindex: 2 });
    expect(t.lost).toBe(0);
    const drop = t.events.find((e) => e.kind === 'drop' && e.reason === 'IP_RPFILTER');
    expect(drop).toMatchObject({ kind: 'drop', protocol: 2048, location: 'ip_rcv_finish_core+0x260/0x470' });
    expect(new Set(t.events.map((e) => e.kind))).toEqual(new Set(['drop', 'receive', 'transmit', 'route']));
  });

  it('counts what an overrun ring lost', () => {
    const text = readFileSync(join(dir, 'drp1lab--director-healthy.out'), 'utf8').replace(/entries-in-buffer\/entries-written: (\d+)\/(\d+)/, (_m, a: string) => `entries-in-buffer/entries-written: ${a}/${Number(a) + 40}`);
    expect(parseKfreeSkbTrace(`${text}CPU:1 [LOST 7 EVENTS]\n`).lost).toBe(47);
  });

  it('leaves out a last line cut mid-way (the script stopped while printing) and says so', () => {
    const text = readFileSync(join(dir, 'drp1lab--director-rp-filter.out'), 'utf8');
    const whole = parseKfreeSkbTrace(text);
    expect(whole.truncated).toBe(false);
    const cut = parseKfreeSkbTrace(text.slice(0, text.lastIndexOf('fib_table_lookup') + 'fib_table_lo'.length));
    expect(cut.truncated).toBe(true);
    expect(cut.events.length).toBeLessThan(whole.events.length);
  });

  it('names the line it cannot read', () => {
    const lines = readFileSync(join(dir, 'drp1lab--director-rp-filter.out'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('reason: IP_RPFILTER'));
    lines[at] = lines[at].replace('reason: IP_RPFILTER', 'why: IP_RPFILTER');
    const error = (() => {
      try {
        parseKfreeSkbTrace(lines.join('\n'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).line).toBe(at + 1);
    lines[at] = lines[at].replace('kfree_skb:', 'consume_skb:');
    expect(() => parseKfreeSkbTrace(lines.join('\n'))).toThrow(/line \d+: expected a kfree_skb, netif_receive_skb, net_dev_xmit or fib_table_lookup event/);
  });
});

describe('which drops are the test connection on this host', () => {
  it('proves each fault on the host where the packet vanished', () => {
    expect(reasons('director-rp-filter', director)).toEqual(['IP_RPFILTER@drp1-ext']);
    expect(reasons('director-firewall-drop', director)).toEqual(['NETFILTER_DROP@drp1-ext']);
    expect(reasons('director-ip-forward-off', director)).toEqual(['IP_INADDRERRORS@drp1-ext']);
    expect(reasons('rs3-no-listener', rs(3))).toEqual(['NO_SOCKET@drp1-lan']);
    expect(reasons('rs1-firewall-reject', rs(1))).toEqual(['NETFILTER_DROP@drp1-lan']);
    expect(reasons('rs1-silent-drop-rp-filter', rs(1))).toEqual(['IP_RPFILTER@drp1-lan']);
  });

  it('claims no drop of another host, another flow or another lab', () => {
    // The director forwarded the SYN to rs3, which dropped the very same skb (a veth hands it on).
    expect(reasons('director-during-no-listener', director)).toEqual([]);
    expect(reasons('director-during-firewall-reject', director)).toEqual([]);
    // The client's instance saw the director's drop: same interface name and ifindex there.
    expect(reasons('client-during-rp-filter', client)).toEqual([]);
    // The realserver the packet was not for.
    expect(reasons('rs3-no-listener', rs(1))).toEqual([]);
    // Healthy runs still hold other labs' NO_SOCKET (traceroute) and QUEUE_PURGE drops.
    expect(trace('director-healthy').events.some((e) => e.kind === 'drop')).toBe(true);
    expect(reasons('director-healthy', director)).toEqual([]);
    expect(reasons('rs1-healthy', rs(1))).toEqual([]);
    // A drop of another skb right after the test packet's lookup (the lines edited from the real trace).
    const lines = readFileSync(join(dir, 'drp1lab--director-rp-filter.out'), 'utf8').replace(/(kfree_skb: skbaddr=)[0-9a-f]+( .*IP_RPFILTER)/g, '$10000000012345678$2');
    expect(matchDrops(parseKfreeSkbTrace(lines), director, flow)).toEqual([]);
    // Another service's addresses: nothing is the test connection's.
    expect(matchDrops(trace('director-rp-filter'), director, { ...flow, cip: '10.104.1.99' })).toEqual([]);
  });

  it('traces receives on every device, and proves the fault where it is with them', () => {
    expect(trace('director-ip-forward-off-all-receives').path).toEqual(['drp1-ext', 'drp1-int']);
    expect(trace('rs1-during-ip-forward-off').path).toEqual(['drp1-lan']);
    // The recordings before the path line: the kernel filtered their receives.
    expect(trace('director-ip-forward-off').path).toBeNull();
    expect(reasons('director-ip-forward-off-all-receives', director)).toEqual(['IP_INADDRERRORS@drp1-ext']);
    // rs1's and the client's instances saw the director take the SYN in on drp1-ext and drop it.
    expect(trace('rs1-during-ip-forward-off').events.some((e) => e.kind === 'receive' && e.dev === 'drp1-ext')).toBe(true);
    expect(reasons('rs1-during-ip-forward-off', rs(1))).toEqual([]);
    expect(reasons('rs2-during-ip-forward-off', rs(2))).toEqual([]);
    expect(reasons('client-during-ip-forward-off', client)).toEqual([]);
  });

  it("an skb a realserver took in and freed quietly, reused for the director's dropped SYN, is not the realserver's drop", () => {
    // In rs1's trace, the director's ping to rs2 comes in on rs2's drp1-lan (the same name and
    // ifindex as rs1's) as skb 9d8d4aea and is consumed (untraced); then on the same CPU the
    // director takes the SYN in on drp1-ext, routes it CIP -> RIP1 with iif 2 and drops it. The
    // SYN's skb is edited to 9d8d4aea: what the per-CPU slab does when it hands the freed one on.
    const text = readFileSync(join(dir, 'drp1lab--rs1-during-ip-forward-off.out'), 'utf8').replaceAll('000000000499bb83', '000000009d8d4aea');
    expect(matchDrops(parseKfreeSkbTrace(text), rs(1), flow)).toEqual([]);
    // Seen as the kernel-filtered trace of before (only rs1's interface's receives, no path
    // line), the stale receive is still open at the drop and the match would claim it.
    const filtered = text.split('\n').filter((l) => !l.startsWith('# lvsd-path') && !/netif_receive_skb: dev=(?!drp1-lan )/.test(l)).join('\n');
    expect(matchDrops(parseKfreeSkbTrace(filtered), rs(1), flow).map((d) => `${d.reason}@${d.dev}`)).toEqual(['IP_INADDRERRORS@drp1-lan']);
  });

  it('counts a receive only on an interface of the path, and of this host', () => {
    const text = readFileSync(join(dir, 'drp1lab--director-ip-forward-off-all-receives.out'), 'utf8');
    // The same trace with only the inside on the path: the SYN came in on drp1-ext.
    expect(matchDrops(parseKfreeSkbTrace(text.replace('# lvsd-path drp1-ext drp1-int', '# lvsd-path drp1-int')), director, flow)).toEqual([]);
    // An empty path is any of the host's interfaces; a name the host does not have is none of them.
    expect(matchDrops(parseKfreeSkbTrace(text.replace('# lvsd-path drp1-ext drp1-int', '# lvsd-path')), director, flow).map((d) => `${d.reason}@${d.dev}`)).toEqual(['IP_INADDRERRORS@drp1-ext', 'IP_INADDRERRORS@drp1-ext']);
    expect(matchDrops(parseKfreeSkbTrace(text.replace(/^# lvsd-if drp1-ext 2$/m, '# lvsd-if drp1-out 2')), director, flow)).toEqual([]);
  });
});

const failing = (id: string, fault: CheckResult['fault'], host: string): CheckResult => ({
  id, question: 'q3-director', title: id, verdict: 'fail', summary: 's', evidence: [{ host, command: 'c', lines: [] }], fault, fixes: [], durationMs: 0,
});

describe('the reason as evidence', () => {
  const traced = (name: string, host: DropHost): DropTraceFacts => ({ host: host.name, command: 'tracefs instance lvsd-* on x', status: 'traced', instance: 'lvsd-0', drops: matchDrops(trace(name), host, flow) });

  it('joins the diagnosis the reason proves, on that host only', () => {
    // IP_RPFILTER can prove either; the drop was on the director.
    const checks = [failing('q4.x', 'realserver.silent-drop', 'rs1'), failing('q3.request-forwarded', 'director.rp-filter', 'director')];
    const { checks: out, notes } = withDropEvidence(checks, [traced('director-rp-filter', director)]);
    const added = out[1].evidence.at(-1)!;
    expect(added.host).toBe('director');
    expect(added.note).toMatch(/reason IP_RPFILTER/);
    expect(added.lines.at(-1)).toMatch(/kfree_skb: .*reason: IP_RPFILTER/);
    expect(out[0].evidence).toHaveLength(1);
    expect(notes).toEqual([]);
  });

  it('a reason with no diagnosis on its host, and a host that could not trace, become notes', () => {
    const checks = [failing('q3.x', 'director.firewall-drop', 'director')];
    const unavailable: DropTraceFacts = { host: 'rs2', command: 'c', status: 'unavailable', message: 'this kernel has no skb:kfree_skb tracepoint', drops: [] };
    const { checks: out, notes } = withDropEvidence(checks, [traced('rs3-no-listener', rs(3)), unavailable]);
    expect(out[0].evidence).toHaveLength(1);
    expect(notes).toEqual([expect.stringMatching(/^--trace-drops on rs3: .*reason NO_SOCKET/), '--trace-drops on rs2: no drop reasons (this kernel has no skb:kfree_skb tracepoint)']);
    expect(dropTracesOf([unavailable])).toEqual([{ host: 'rs2', status: 'unavailable', message: 'this kernel has no skb:kfree_skb tracepoint', drops: [] }]);
  });
});

describe('the trace run', () => {
  const spec = { host: 'director', ifaces: ['eth0', 'eth1'], boundMs: 14_000 };

  it('is one argv with validated interfaces, its instance named on the host (the argv replays)', () => {
    const argv = dropTraceProbe(spec).argv;
    expect(argv.slice(0, 6)).toEqual(['unshare', '-m', '--propagation', 'private', 'sh', '-c']);
    expect(argv.slice(-2)).toEqual(['eth0', 'eth1']);
    expect(dropTraceProbe(spec).argv).toEqual(argv);
    expect(argv[6]).toMatch(/rmdir \$I/);
    // The guard that removes the instance if the script is killed outright: its own session.
    expect(argv[6]).toMatch(/setsid sh -c .*while kill -0 \$1 .*rmdir \$2. lvsd-guard \$\$ \$I/);
    expect(argv[6]).toMatch(/trap "trap '' TERM INT HUP PIPE; finish; exit 0" TERM INT HUP PIPE/);
    expect(() => dropTraceProbe({ ...spec, ifaces: ['eth0; reboot'] })).toThrow();
  });

  it('says why a host could not trace', () => {
    expect(traceFailure({ exitCode: 5, stderr: 'lvs-doctor-pid 12\nlvsd-trace: skb:kfree_skb has no drop reason field on this kernel (added in 5.17)\n' })).toBe('skb:kfree_skb has no drop reason field on this kernel (added in 5.17)');
    expect(traceFailure({ exitCode: 1, stderr: 'sudo: a password is required\n' })).toBe('the drop trace ended before recording (exit 1): sudo: a password is required');
    const plan = { spec, host: director };
    const stdout = new TextEncoder().encode('');
    expect(readDropTrace(plan, flow, { result: { stdout, stderr: `${TRACE_ARMED}\nlvsd-trace: cannot create the tracefs instance x\n`, exitCode: 6, durationMs: 1 } })).toMatchObject({ status: 'unavailable', message: 'cannot create the tracefs instance x' });
    expect(readDropTrace(plan, flow, { result: null, error: 'no-access: sudo refused' })).toMatchObject({ status: 'unavailable', message: 'no-access: sudo refused' });
    const text = readFileSync(join(dir, 'drp1lab--director-rp-filter.out'));
    expect(readDropTrace(plan, flow, { result: { stdout: text, stderr: '', exitCode: 0, durationMs: 1 } })).toMatchObject({ status: 'traced', drops: [expect.objectContaining({ reason: 'IP_RPFILTER' }), expect.anything()] });
  });
});

describe('record and replay', () => {
  it('a bundle recorded with --trace-drops replays to the same drop evidence', async () => {
    const { replayBundle } = await import('../../src/commands/replay-bundle.js');
    const result = await replayBundle(join(import.meta.dirname, '../../fixtures/bundles-traces/director.rp-filter'));
    expect(result.diagnoses[0].id).toBe('director.rp-filter');
    const evidence = result.diagnoses[0].evidence.find((e) => e.command.startsWith('tracefs instance lvsd-'));
    expect(evidence?.host).toBe('director');
    expect(evidence?.note).toMatch(/reason IP_RPFILTER/);
    expect(result.dropTraces?.map((t) => [t.host, t.status, [...new Set(t.drops.map((d) => d.reason))]])).toEqual([
      ['director', 'traced', ['IP_RPFILTER']],
      ['rs1', 'traced', []],
      ['rs2', 'traced', []],
      ['rs3', 'traced', []],
      ['client', 'traced', []],
    ]);
  });
});

describe('schema', () => {
  it("the replayed document's dropTraces fit schema/result.v1.json, and a broken one does not", async () => {
    const { replayBundle } = await import('../../src/commands/replay-bundle.js');
    const { schemaErrors } = await import('../report/schema-validator.js');
    const { toJson } = await import('../../src/report/json.js');
    const doc = JSON.parse(toJson(await replayBundle(join(import.meta.dirname, '../../fixtures/bundles-traces/director.rp-filter'))));
    expect(doc.dropTraces).toHaveLength(5);
    expect(schemaErrors(doc)).toEqual([]);
    doc.dropTraces[0].status = 'maybe';
    delete doc.dropTraces[1].drops;
    expect(schemaErrors(doc).join('\n')).toMatch(/dropTraces\/0\/status[\s\S]*dropTraces\/1/);
  });
});

describe('explain', () => {
  it('a pasted trace is read by its command and by its content', async () => {
    const { detect } = await import('../../src/explain/detect.js');
    const text = readFileSync(join(dir, 'drp1lab--director-rp-filter.out'), 'utf8');
    expect(detect(text, 'cat /sys/kernel/tracing/instances/lvsd-1/trace')).toMatchObject({ parser: 'kfree-skb-trace', by: 'command' });
    expect(detect(text)).toMatchObject({ parser: 'kfree-skb-trace', by: 'content' });
  });
});
