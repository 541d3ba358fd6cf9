// A host (or a bundle) that prints terminal control sequences gets them shown, escaped, in
// every face; JSON stays lossless (JSON escapes by itself).
import { describe, expect, it } from 'vitest';
import { formatFixCommands } from '../../src/report/fixes.js';
import { toJson } from '../../src/report/json.js';
import { formatNagios } from '../../src/report/nagios.js';
import { formatPrometheus } from '../../src/report/prometheus.js';
import { formatText } from '../../src/report/text.js';
import { displaySafe, escapeControls } from '../../src/report/untrusted-text.js';
import { parseExposition } from './prometheus-grammar.js';
import { CLEAR, hostileResult, TITLE } from './hostile.js';

function raw(text: string): string[] {
  // eslint-disable-next-line no-control-regex
  return [...text.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/g)].map((m) => m[0]);
}

describe('escapeControls', () => {
  it('shows C0 (but tab and newline), DEL, C1 and bidi overrides as visible escapes', () => {
    expect(escapeControls(`a${TITLE}b`)).toBe('a\\x1b]0;pwned\\x07b');
    expect(escapeControls('\r\u007f\u009b\u202e\u2066')).toBe('\\x0d\\x7f\\x9b\\u202e\\u2066');
    expect(escapeControls('tab\there\nnext')).toBe('tab\there\nnext');
    expect(escapeControls('plain 10.0.0.1 → ✓')).toBe('plain 10.0.0.1 → ✓');
  });
  it('reaches every string of a value, keys included, and leaves the rest alone', () => {
    expect(displaySafe({ a: [`x${CLEAR}`, 3, null, true], [`k${CLEAR}`]: { b: 'ok' } })).toEqual({ a: ['x\\x1b[2J', 3, null, true], 'k\\x1b[2J': { b: 'ok' } });
  });
});

describe('every face shows host text escaped', () => {
  it('text', () => {
    const out = formatText(hostileResult());
    expect(raw(out)).toEqual([]);
    expect(out).toContain('\\x1b]0;pwned\\x07');
    expect(out).toContain('\\x1b]8;;http://x.example/');
  });
  it('nagios', () => {
    const { text } = formatNagios(hostileResult());
    expect(raw(text)).toEqual([]);
    expect(text.split('\n')[0]).toContain('\\x1b]0;pwned');
  });
  it('prometheus: label values escaped, the page still valid', () => {
    const page = formatPrometheus(hostileResult());
    expect(raw(page)).toEqual([]);
    const samples = parseExposition(page);
    expect(samples.find((s) => s.name === 'lvs_doctor_diagnosis')?.labels.host).toBe('rs1\\x1b[2J');
  });
  it('the fix commands printed for copying', () => {
    const out = formatFixCommands(hostileResult());
    expect(raw(out)).toEqual([]);
    expect(out).toContain('\\x1b[2J');
  });
  it('JSON keeps the text lossless', () => {
    const doc = hostileResult();
    expect(JSON.parse(toJson(doc)).diagnoses[0].evidence[0].lines[0]).toBe(doc.diagnoses[0].evidence[0].lines[0]);
  });
});
