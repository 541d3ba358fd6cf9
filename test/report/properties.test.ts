// Free text from the field (host names, summaries, interface names) must never break a
// machine format: property tests over arbitrary strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNagios } from '../../src/report/nagios.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { formatText } from '../../src/report/text.js';
import { escapeControls } from '../../src/report/untrusted-text.js';
import { parseExposition } from './prometheus-grammar.js';
import { replyRouteResult } from './samples.js';

const anyText = fc.string({ unit: 'binary', maxLength: 40 });

describe('machine formats survive arbitrary text', () => {
  it('prometheus: the page stays valid and label values round-trip (control characters shown escaped)', () => {
    fc.assert(
      fc.property(anyText, anyText, (host, realserver) => {
        const doc = replyRouteResult();
        doc.diagnoses[0] = { ...doc.diagnoses[0], hosts: [host] };
        doc.connectionTable = [{ realserver, synRecv: 1, established: 1, other: 0 }];
        const samples = parseExposition(formatPrometheus(doc));
        expect(samples.find((s) => s.name === 'lvs_doctor_diagnosis' && s.labels.id === 'realserver.reply-route')?.labels.host).toBe(escapeControls(host));
        expect(samples.find((s) => s.name === 'lvs_doctor_syn_recv_ratio')?.labels.realserver).toBe(escapeControls(realserver));
      }),
    );
  });

  it('nagios: one status line with exactly one perfdata separator', () => {
    fc.assert(
      fc.property(anyText, anyText, (summary, host) => {
        const doc = replyRouteResult();
        doc.diagnoses[0] = { ...doc.diagnoses[0], summary, hosts: [host] };
        const status = formatNagios(doc).text.split('\n')[0];
        expect(status.split(' | ')).toHaveLength(2);
        expect(status.split(' | ')[1]).toMatch(/^duration=/);
      }),
    );
  });

  it('text: a summary never spreads a check over two lines', () => {
    fc.assert(
      fc.property(anyText, (summary) => {
        const doc = replyRouteResult();
        doc.checks[0] = { ...doc.checks[0], summary };
        const line = formatText(doc).split('\n').filter((l) => l.includes(` ${doc.checks[0].id} `) || l.endsWith(` ${doc.checks[0].id}`));
        expect(line).toHaveLength(1);
      }),
    );
  });
});
