// `lvs-doctor explain`, without the faces: paste in, a report out. Splits the paste into
// outputs, reads each (saying what could not be read, and why, by the paste's line numbers),
// builds the facts the evidence allows and runs the whole check graph over them offline.
import { CHECKS } from '../../checks/index.js';
import type { CheckResult } from '../model/check.js';
import type { RunEvent } from '../model/events.js';
import type { ExplainPartSummary, ResultDocument } from '../model/result.js';
import { allHosts } from '../model/topology.js';
import { connectionTableDigest } from '../facts/connection-table.js';
import { evaluateCheck } from '../engine/evaluate.js';
import { validateGraph } from '../engine/graph.js';
import { buildResult } from '../engine/result.js';
import { detect, parserForCommand } from './detect.js';
import { buildExplainFacts, type ReadOutput } from './facts.js';
import { dedent, splitTranscript, type PasteLine, type PastePart } from './split.js';

/** A paste larger than this is refused: nobody pastes 4 MiB into a ticket, and parsing it would stall. */
export const MAX_PASTE_BYTES = 4 * 1024 * 1024;

export interface ExplainReport {
  parts: ExplainPartSummary[];
  /** The result document (mode "explain"), its `explain` member holding parts and notes. */
  result: ResultDocument;
  /** The same run as engine events, for the TUI and --json-stream. */
  events: RunEvent[];
}

function partText(p: PastePart): string {
  return p.lines.map((l) => l.text).join('\n');
}

/** The original line number of line `n` (1-based) of a part, or of the part's first line. */
function originalLine(p: PastePart, n: number): number {
  return p.lines[n - 1]?.no ?? p.lines[0]?.no ?? p.promptLine ?? 0;
}

/** Most blank-line chunks one unprompted part is cut into; past that, it is read as it is. */
const MAX_CHUNKS = 80;

/**
 * A part with no prompt may hold prose and outputs, or several outputs, separated by blank
 * lines. When it does not read whole, it is cut at its blank lines and the longest runs of
 * chunks that read together become parts of their own.
 */
function regroup(p: PastePart): PastePart[] {
  if (p.command !== null || detect(partText(p), null).parser !== null) return [p];
  const chunks: PasteLine[][] = [[]];
  for (const l of p.lines) {
    if (l.text.trim() === '') {
      if (chunks[chunks.length - 1].length > 0) chunks.push([]);
    } else chunks[chunks.length - 1].push(l);
  }
  if (chunks[chunks.length - 1].length === 0) chunks.pop();
  if (chunks.length < 2 || chunks.length > MAX_CHUNKS) return [p];
  const out: PastePart[] = [];
  const span = (i: number, j: number): PasteLine[] => {
    const first = chunks[i][0].no;
    const last = chunks[j][chunks[j].length - 1].no;
    return p.lines.filter((l) => l.no >= first && l.no <= last);
  };
  let unread: PasteLine[] = [];
  for (let i = 0; i < chunks.length;) {
    let best = -1;
    for (let j = chunks.length - 1; j >= i; j--) {
      if (detect(span(i, j).map((l) => l.text).join('\n'), null).parser !== null) {
        best = j;
        break;
      }
    }
    if (best < 0) {
      unread = unread.length > 0 ? [...unread, ...span(i, i)] : span(i, i);
      i += 1;
      continue;
    }
    if (unread.length > 0) out.push({ ...p, lines: unread });
    unread = [];
    out.push({ ...p, lines: dedent(span(i, best)) });
    i = best + 1;
  }
  if (unread.length > 0) out.push({ ...p, lines: unread });
  return out;
}

export function explainPaste(text: string, now: Date = new Date()): ExplainReport {
  const t0 = performance.now();
  const split = splitTranscript(text);
  split.parts = split.parts.flatMap(regroup);
  const outputs: ReadOutput[] = [];
  const parts: ExplainPartSummary[] = split.parts.map((p, i) => {
    const body = partText(p);
    const found = detect(body, p.command);
    const index = i + 1;
    const firstLine = p.lines[0]?.no ?? p.promptLine ?? 0;
    const lastLine = p.lines[p.lines.length - 1]?.no ?? firstLine;
    // A command with nothing after it: not run, not pasted, or a grep that matched nothing.
    const empty = body.trim() === '';
    outputs.push({ index, command: p.command, host: p.host, firstLine, text: body, parser: empty ? null : found.parser, result: found.result });
    const problems = found.parser !== null
      ? found.unreadLines.map((u) => ({ line: originalLine(p, u.line), text: u.text, reason: `${found.parser} could not read this line whole; it was left out` }))
      : p.command === null || parserForCommand(p.command) === null
        // Without a command, every parser was tried: their refusals are noise, the verdict is one line.
        ? [{ line: firstLine, text: p.lines[0]?.text ?? '', reason: p.command === null
          ? `no parser reads this text (${found.refusals.length} formats tried); prose, or an output pasted without its prompt and cut or edited`
          : `no parser reads the output of \`${p.command.split(/\s+/)[0]}\`, and its text is none of the ${found.refusals.length} formats the doctor reads` }]
        : found.refusals.map((r) => ({ line: r.line > 0 ? originalLine(p, r.line) : firstLine, ...(r.line > 0 ? { text: p.lines[r.line - 1]?.text ?? '' } : {}), reason: `${r.parser}: ${r.reason}` }));
    return {
      index,
      firstLine,
      lastLine,
      command: p.command,
      host: p.host,
      format: found.parser,
      detectedBy: found.by,
      status: found.parser === null ? 'unreadable' : problems.length > 0 ? 'partly-read' : 'read',
      problems,
      ...(empty ? { use: 'nothing follows the command in the paste' } : {}),
    };
  });

  const built = buildExplainFacts(outputs);
  const notes = [...split.notes];
  let result: ResultDocument;
  const events: RunEvent[] = [];
  if ('noService' in built) {
    notes.push(built.noService);
    for (const p of parts) p.use ??= 'not used: no virtual service to judge';
    result = buildResult({
      topology: { service: { protocol: 'TCP', vip: '0.0.0.0', vport: 0 }, director: { name: 'director', role: 'director', access: 'none' }, client: { name: 'client', role: 'client', access: 'none' }, realservers: [] },
      checks: [],
      hops: [],
      hosts: [],
      startedAt: now,
      durationMs: performance.now() - t0,
      mode: 'explain',
    });
    result.verdict = 'unknown';
    result.summary = `nothing judged: ${built.noService}`;
  } else {
    notes.push(...built.notes);
    for (const p of parts) {
      const u = built.use.get(p.index);
      if (u) p.use = 'host' in u ? `used as ${u.host}'s output` : u.unused.startsWith('read for') ? u.unused : `not used: ${u.unused}`;
      else if (p.format !== null && p.use === undefined) p.use = 'not used';
    }
    const { topology, facts } = built;
    const order = validateGraph(CHECKS);
    events.push({
      type: 'run-start',
      at: now.toISOString(),
      service: topology.service,
      hosts: allHosts(topology).map((h) => ({ name: h.name, role: h.role, access: h.access })),
      checks: order.map((c) => ({ id: c.id, question: c.question, title: c.title, needs: c.needs })),
    });
    events.push({ type: 'phase', phase: 'checks', detail: 'from the paste' });
    const done = new Map<string, CheckResult>();
    for (const check of order) {
      events.push({ type: 'check-start', id: check.id });
      const r = evaluateCheck(check, topology, facts, done);
      done.set(check.id, r);
      events.push({ type: 'check-end', result: r });
    }
    result = buildResult({
      topology,
      checks: order.map((c) => done.get(c.id)!),
      hops: [],
      hosts: [...facts.hosts.values()],
      startedAt: now,
      durationMs: performance.now() - t0,
      mode: 'explain',
      connectionTable: connectionTableDigest(topology, facts),
    });
  }
  const unread = parts.filter((p) => p.status !== 'read');
  for (const p of unread) {
    result.unproven.push(`paste part ${p.index} (lines ${p.firstLine}-${p.lastLine}${p.command ? `, ${p.command}` : ''}) was ${p.status === 'unreadable' ? 'not read' : 'read only in part'}: ${p.problems[0]?.reason ?? ''}`);
  }
  result.explain = { parts, notes };
  if (events.length > 0) events.push({ type: 'run-end', result });
  return { parts, result, events };
}
