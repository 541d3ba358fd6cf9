// `lvs-doctor explain` on real pasted transcripts (fixtures/explain/, each named in its
// SOURCES.md): how each paste is split and read, which host each output is taken from, and
// what is judged. The reviewed expectation is beside each paste as .json.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainPaste } from '../../src/explain/explain.js';
import { schemaErrors } from '../report/schema-validator.js';

const dir = join(import.meta.dirname, '../../fixtures/explain');
const pastes = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8');

function digest(text: string): unknown {
  const { result } = explainPaste(text, new Date('2026-01-01T00:00:00Z'));
  return {
    verdict: result.verdict,
    parts: result.explain!.parts.map((p) => ({ lines: `${p.firstLine}-${p.lastLine}`, command: p.command, host: p.host, format: p.format, status: p.status, use: p.use ?? null, problems: p.problems.length })),
    notes: result.explain!.notes,
    diagnoses: result.diagnoses.map((d) => ({ id: d.id, hosts: d.hosts, certainty: d.certainty })),
  };
}

describe('explain on real transcripts', () => {
  for (const paste of pastes) {
    it(paste, () => {
      expect(sources, `SOURCES.md must name ${paste}`).toContain(paste);
      const text = readFileSync(join(dir, paste), 'utf8');
      const actual = JSON.parse(JSON.stringify(digest(text)));
      const expectedPath = join(dir, paste.replace(/\.txt$/, '.json'));
      if (process.env.UPDATE_FIXTURES === '1') {
        writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
        return;
      }
      expect(existsSync(expectedPath), `${expectedPath} is missing`).toBe(true);
      expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
    });
  }

  it('--json follows the result schema (mode explain, the explain member)', () => {
    for (const paste of pastes) {
      const { result } = explainPaste(readFileSync(join(dir, paste), 'utf8'));
      expect(schemaErrors(JSON.parse(JSON.stringify(result))), paste).toEqual([]);
      expect(result.mode).toBe('explain');
    }
  });

  it('calico#4851: only the realservers whose every entry is half-open are stalled, at low certainty', () => {
    const { result } = explainPaste(readFileSync(join(dir, 'calico-4851--ipvs-grep-syn-recv.txt'), 'utf8'));
    const stalled = result.diagnoses.find((d) => d.id === 'director.return-path-stalled');
    expect(stalled?.hosts).toEqual(['rs2', 'rs3']);
    expect(stalled!.certainty).toBeLessThan(0.6);
    expect(result.notes?.some((n) => /cannot tell present connections from past ones/.test(n))).toBe(true);
  });

  it('a quoted keepalived.conf is read once explain removes the quote prefix', () => {
    const { result } = explainPaste(readFileSync(join(dir, 'gh-16189053260--quoted-keepalived-nat.txt'), 'utf8'));
    expect(result.explain!.notes.some((n) => n.includes("quote prefix"))).toBe(true);
    expect(result.explain!.parts.some((p) => p.format === 'keepalived' && p.status === 'read')).toBe(true);
    expect(result.service).toEqual({ protocol: 'TCP', vip: '192.168.225.198', vport: 5000 });
  });
});

describe("the issue's minimal evidence", () => {
  it('ipvsadm -Ln + -Lnc from the director and ip route from a realserver name realserver.reply-route, at lower certainty', () => {
    const { result } = explainPaste(readFileSync(join(dir, 'ipvs-vm--nat-reply-route-three-outputs.txt'), 'utf8'));
    const [first] = result.diagnoses;
    expect(first.id).toBe('realserver.reply-route');
    expect(first.hosts).toEqual(['lv-rs1']);
    expect(first.certainty).toBeLessThan(0.85);
    expect(result.diagnoses.map((d) => d.id)).toContain('director.return-path-stalled');
    // lv-rs2 sent nothing to the paste: its checks are not judged, and the report says so.
    expect(result.unproven.some((u) => u.includes('rs2'))).toBe(true);
  });
});
