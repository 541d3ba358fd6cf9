// What the TUI prints when the user leaves (Ctrl-C, q) before the run ended: what was seen so
// far, plainly, so an interrupted run never ends in silence. Nothing here is a verdict.
import { packetPathRows } from '../report/packet-path.js';
import { checkWord } from '../report/verdicts.js';
import type { ViewState } from './state.js';

export function formatPartial(state: ViewState, how: 'interrupted' | 'quit'): string {
  const lines = [`lvs-doctor: ${how === 'interrupted' ? 'interrupted (Ctrl-C)' : 'left'} before the run ended: no verdict; what was seen so far:`];
  const planned = state.planned.length;
  lines.push(`  checks finished: ${state.finished.length} of ${planned || '?'}${state.phase ? ` (phase: ${state.phase}${state.phaseDetail ? `, ${state.phaseDetail}` : ''})` : ''}`);
  for (const c of state.finished.filter((x) => x.verdict !== 'pass' && x.verdict !== 'skip')) {
    lines.push(`    ${checkWord(c.verdict).padEnd(7)} ${c.id}${c.fault ? ` [${c.fault}]` : ''}  ${c.summary.replace(/\s*\n\s*/g, ' ')}`);
  }
  const passed = state.finished.filter((x) => x.verdict === 'pass').length;
  if (passed > 0) lines.push(`    ${passed} check(s) passed`);
  if (state.running.length > 0) lines.push(`  not finished: ${state.running.join(', ')}`);
  for (const h of state.hosts) {
    const failed = h.failed ? `, ${h.failed} failed${h.lastError ? ` (last: ${h.lastError})` : ''}` : '';
    lines.push(`  ${h.name}: ${h.done}/${h.started} probes done${failed}${h.current ? `, running ${h.current}` : ''}`);
  }
  if (state.hops.length > 0) {
    for (const row of packetPathRows(state.hops, state.hosts)) lines.push(`  hop ${row.index} ${row.state.toUpperCase().padEnd(12)} ${row.leg}`);
  } else {
    lines.push('  no test connection was judged yet');
  }
  // The state came through displaySafe (run-tui.tsx): host text is already escaped.
  return `${lines.join('\n')}\n`;
}
