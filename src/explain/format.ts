// The text face of how a paste was read: one line per output (lines, command, host, format,
// what it was used for), then what could not be read and why, by line of the paste. The
// paste's own text appears here, so it goes through the control-character escaping first.
import type { ResultDocument } from '../model/result.js';
import { displaySafe } from '../report/untrusted-text.js';

const MAX_PROBLEMS_SHOWN = 5;

export function formatPasteReading(untrusted: ResultDocument): string {
  const result = displaySafe(untrusted);
  const explain = result.explain;
  if (!explain) return '';
  const out: string[] = [`paste: ${explain.parts.length} output(s)`];
  for (const p of explain.parts) {
    const where = p.firstLine === p.lastLine ? `line ${p.firstLine}` : `lines ${p.firstLine}-${p.lastLine}`;
    const who = [p.host ? `on ${p.host}` : null, p.command ? `\`${p.command}\`` : null].filter(Boolean).join(' ');
    const what = p.format === null ? 'NOT READ' : `${p.format}${p.status === 'partly-read' ? ' (partly read)' : ''}${p.detectedBy === 'content' ? ', told by its content' : ''}`;
    out.push(`  ${p.index}. ${where}${who ? ` ${who}` : ''}: ${what}${p.use ? `; ${p.use}` : ''}`);
    for (const problem of p.problems.slice(0, MAX_PROBLEMS_SHOWN)) {
      out.push(`     line ${problem.line}: ${problem.reason}${problem.text !== undefined ? ` ("${problem.text.slice(0, 100)}")` : ''}`);
    }
    if (p.problems.length > MAX_PROBLEMS_SHOWN) out.push(`     ... ${p.problems.length - MAX_PROBLEMS_SHOWN} more`);
  }
  for (const n of explain.notes) out.push(`  note: ${n}`);
  return `${out.join('\n')}\n`;
}
