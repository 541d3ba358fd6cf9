// The fix commands of a result, plainly, grouped per host, ready to paste (`c` in the TUI).
import type { ResultDocument } from '../model/result.js';
import { displaySafe } from './untrusted-text.js';

export function formatFixCommands(untrusted: ResultDocument): string {
  const result = displaySafe(untrusted);
  if (result.diagnoses.every((d) => d.fixes.length === 0)) return '# lvs-doctor: no fix to apply\n';
  const lines: string[] = [];
  // A command two diagnoses both ask for is printed once, under the first (most certain) one.
  const given = new Set<string>();
  for (const d of result.diagnoses) {
    for (const f of d.fixes) {
      const fresh = f.commands.filter((c) => !given.has(`${f.host}\u0000${c}`));
      if (fresh.length === 0) continue;
      for (const c of fresh) given.add(`${f.host}\u0000${c}`);
      lines.push(`# ${d.id} - on ${f.host}: ${f.why.replace(/\s*\n\s*/g, ' ')}`, ...fresh, '');
    }
  }
  return `${lines.join('\n')}`;
}
