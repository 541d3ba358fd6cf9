// The fix commands of a result, plainly, grouped per host, ready to paste (`c` in the TUI).
import type { ResultDocument } from '../model/result.js';
import { displaySafe } from './untrusted-text.js';

export function formatFixCommands(untrusted: ResultDocument): string {
  const result = displaySafe(untrusted);
  if (result.diagnoses.every((d) => d.fixes.length === 0)) return '# lvs-doctor: no fix to apply\n';
  const lines: string[] = [];
  for (const d of result.diagnoses) {
    for (const f of d.fixes) {
      lines.push(`# ${d.id} - on ${f.host}: ${f.why.replace(/\s*\n\s*/g, ' ')}`, ...f.commands, '');
    }
  }
  return `${lines.join('\n')}`;
}
