import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/model/events.js';
import { jsonStreamLine } from '../../src/report/json-stream.js';
import { formatNagios } from '../../src/report/nagios.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { formatText } from '../../src/report/text.js';
import { parseExposition } from './prometheus-grammar.js';
import { healthyResult, replyRouteResult } from './samples.js';

const ESC = /\u001b/;

describe('formatText', () => {
  it('is plain: no escape codes, verdict first, every check on one greppable line', () => {
    const text = formatText(replyRouteResult());
    expect(text).not.toMatch(ESC);
    const lines = text.split('\n');
    expect(lines[0]).toBe('lvs-doctor FAIL: realserver.reply-route on rs1: rs1 routes replies to 10.0.0.2 via 10.1.1.254, not the director');
    expect(lines).toContain('    FAIL    q2.route-get [realserver.reply-route]  rs1 routes replies to 10.0.0.2 via 10.1.1.254, not the director');
    expect(lines).toContain('    BLOCKED q4.listener  not evaluated  (blocked by: q3.test-connection)');
    expect(lines).toContain('    UNKNOWN q4.rs2  rs2 | off-limits not probed');
  });

  it('prints the diagnosis with its evidence lines and the fix commands per host', () => {
    const text = formatText(replyRouteResult());
    expect(text).toContain('  [1] FAIL realserver.reply-route on rs1  (check q2.route-get, certainty 1)');
    expect(text).toContain('      evidence rs1$ ip route get 10.0.0.2 from 10.1.1.11  (not via the DIP 10.1.1.1)');
    expect(text).toContain('        | 10.0.0.2 from 10.1.1.11 via 10.1.1.254 dev eth0 uid 0');
    expect(text).toContain('        rs1# ip route replace default via 10.1.1.1');
    expect(text.indexOf('realserver.reply-route on rs1  (')).toBeLessThan(text.indexOf('director.return-path-stalled'));
  });

  it('draws the packet path: hops seen, the broken hop with what came instead, the rest not reached', () => {
    const text = formatText(replyRouteResult());
    expect(text).toMatch(/^  2 SEEN +director int -> rs1 +10\.0\.0\.2:41234 > 10\.1\.1\.11:8080$/m);
    expect(text).toMatch(/^  3 BROKEN +rs1 -> director int +10\.1\.1\.11:8080 > 10\.0\.0\.2:41234$/m);
    expect(text).toContain('      NOT seen on director eth1, rs1 eth0');
    expect(text).toMatch(/      instead rs1 eth0: IP 10\.1\.1\.11\.8080 > 10\.0\.0\.2\.41234: Flags \[S\.\]/);
    expect(text).toContain('  4 NOT-REACHED  director ext -> client');
  });

  it('says what a healthy run proved and what it could not', () => {
    const text = formatText(healthyResult());
    expect(text.split('\n')[0]).toMatch(/^lvs-doctor OK: healthy/);
    expect(text).toContain('diagnoses: 0');
    expect(text).toContain('  + hop 1 seen on director eth0');
    expect(text).toContain('  - rs2 is off-limits: its own view was not checked');
    expect(text).not.toMatch(/BROKEN/);
  });
});

describe('formatNagios', () => {
  const STATUS = /^LVS-DOCTOR (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \| ((?:[a-z0-9_]+=[0-9.]+(?:s|%|B|c)?(?:;[0-9.]*){0,4} ?)+)$/;

  it('fault: CRITICAL, exit 2, the first fault and host in the status line, perfdata per question', () => {
    const { text, exitCode } = formatNagios(replyRouteResult());
    expect(exitCode).toBe(2);
    const [status, ...long] = text.trimEnd().split('\n');
    expect(status).toMatch(STATUS);
    expect(status).toMatch(/^LVS-DOCTOR CRITICAL - realserver\.reply-route on rs1: rs1 routes replies .* \(\+1 more: director\.return-path-stalled\) \| /);
    const perf = status.split(' | ')[1];
    expect(perf).toContain('duration=3.456s');
    expect(perf).toContain('hosts=3;;;0;4');
    expect(perf).toContain('q2_traceroute_fail=1;;;0');
    expect(perf).toContain('q4_realserver_unknown=2;;;0');
    expect(long).toEqual([
      'FAIL realserver.reply-route on rs1: rs1 routes replies to 10.0.0.2 via 10.1.1.254, not the director',
      'WARN director.return-path-stalled on director: SYN_RECV entries to rs1, none ESTABLISHED',
    ]);
  });

  it('healthy: OK, exit 0; warn and unknown map to 1 and 3', () => {
    const ok = formatNagios(healthyResult());
    expect(ok.exitCode).toBe(0);
    expect(ok.text).toMatch(/^LVS-DOCTOR OK - healthy: /);
    expect(ok.text.trimEnd().split('\n')).toHaveLength(1);
    expect(formatNagios({ ...healthyResult(), verdict: 'warn' }).exitCode).toBe(1);
    expect(formatNagios({ ...healthyResult(), verdict: 'unknown' }).exitCode).toBe(3);
  });

  it('keeps "|" and newlines out of the status text', () => {
    const doc = { ...healthyResult(), summary: 'a | b\nc' };
    expect(formatNagios(doc).text.split('\n')[0]).toMatch(/^LVS-DOCTOR OK - a \/ b c \| duration=/);
  });
});

describe('formatPrometheus', () => {
  it('is valid exposition format with HELP and TYPE for every family', () => {
    for (const doc of [healthyResult(), replyRouteResult()]) {
      const page = formatPrometheus(doc);
      const samples = parseExposition(page);
      const names = new Set(samples.map((s) => s.name));
      for (const name of names) expect(page).toContain(`# HELP ${name} `);
    }
  });

  it('says the verdict, the checks, the diagnoses and the SYN_RECV ratio', () => {
    const samples = parseExposition(formatPrometheus(replyRouteResult()));
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('lvs_doctor_verdict', { verdict: 'fail' })).toBe(1);
    expect(value('lvs_doctor_verdict', { verdict: 'ok' })).toBe(0);
    expect(value('lvs_doctor_exit_code', {})).toBe(2);
    expect(value('lvs_doctor_duration_seconds', {})).toBe(3.456);
    expect(value('lvs_doctor_check', { id: 'q2.route-get', question: 'q2-traceroute', host: 'rs1' })).toBe(0);
    expect(value('lvs_doctor_check', { id: 'setup.virtual-service', question: 'setup' })).toBe(1);
    expect(value('lvs_doctor_check_state', { id: 'q4.listener' })).toBe(3);
    expect(value('lvs_doctor_diagnosis', { id: 'realserver.reply-route', host: 'rs1', severity: 'fail' })).toBe(1);
    expect(value('lvs_doctor_syn_recv_ratio', { realserver: 'rs1' })).toBe(1);
    expect(value('lvs_doctor_syn_recv_ratio', { realserver: 'rs "2"' })).toBe(0);
    expect(value('lvs_doctor_hop_seen', { hop: '3', name: 'reply' })).toBe(0);
    expect(value('lvs_doctor_hop_seen', { hop: '2' })).toBe(1);
  });

  it('healthy run: verdict ok = 1 and no diagnosis series', () => {
    const samples = parseExposition(formatPrometheus(healthyResult()));
    expect(samples.find((s) => s.name === 'lvs_doctor_verdict' && s.labels.verdict === 'ok')?.value).toBe(1);
    expect(samples.filter((s) => s.name === 'lvs_doctor_diagnosis')).toEqual([]);
  });

  it('the grammar refuses what the collector would refuse', () => {
    expect(() => parseExposition('# TYPE a gauge\na{x="un"escaped"} 1\n')).toThrow();
    expect(() => parseExposition('a 1\n')).toThrow(/TYPE first/);
    expect(() => parseExposition('# TYPE a gauge\na 1\na 2\n')).toThrow(/twice/);
    expect(() => parseExposition('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a x\n')).toThrow(/split/);
  });
});

describe('jsonStreamLine', () => {
  it('one event per line, each line JSON that round-trips', () => {
    const events: RunEvent[] = [
      { type: 'phase', phase: 'probes', detail: 'multi\nline' },
      { type: 'check-end', result: replyRouteResult().checks[1] },
      { type: 'run-end', result: replyRouteResult() },
    ];
    const stream = events.map(jsonStreamLine).join('');
    const lines = stream.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
  });
});
