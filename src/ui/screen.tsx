// The finished run's screen as rows: a fixed top (the verdict and the packet path, always in
// view), a body that scrolls (diagnoses with their consequences and fixes, what was not
// proven, the checks) and a fixed key line. Every element here is exactly one terminal row,
// so the screen is cut to the terminal's height before Ink draws it.
import { Text } from 'ink';
import type { ReactElement, ReactNode } from 'react';
import type { CheckResult, Evidence } from '../model/check.js';
import type { Diagnosis, ResultDocument } from '../model/result.js';
import { consequencesOf, rootDiagnoses, unreachedHosts } from '../report/diagnoses.js';
import { packetPathRows, whereLines } from '../report/packet-path.js';
import type { NamedHost, PathRow } from '../report/packet-path.js';
import { evidenceLines } from '../report/text.js';
import { uniqueEvidence } from '../model/check.js';
import { checkMark } from '../report/verdicts.js';
import type { Hop } from '../model/hops.js';
import { navigableChecks } from './state.js';
import type { ViewState } from './state.js';
import { VERDICT_COLOR, usePaint } from './theme.js';
import { wrapRows } from './wrap.js';
import { baselineTitle, differenceWords, orderedDifferences, transitionWords } from '../report/baseline-words.js';

export interface Row {
  key: string;
  node: ReactElement;
}

/** A coloured piece of a row (reads the colour setting, so it must render inside ColorContext). */
function Seg({ c, children, bold, dim, inverse }: { c?: string; children: ReactNode; bold?: boolean; dim?: boolean; inverse?: boolean }) {
  const paint = usePaint();
  return (
    <Text color={c ? paint(c) : undefined} bold={bold} dimColor={dim} inverse={inverse}>
      {children}
    </Text>
  );
}

function row(key: string, node: ReactNode): Row {
  return { key, node: <Text key={key} wrap="truncate-end">{node}</Text> };
}

/** One logical line wrapped into rows, all in one style. */
function wrapped(key: string, text: string, width: number, hang: string, style: { c?: string; bold?: boolean; dim?: boolean } = {}): Row[] {
  return wrapRows(text, width, hang).map((t, i) => row(`${key}.${i}`, <Seg {...style}>{t === '' ? ' ' : t}</Seg>));
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');

/** Raw lines shown per evidence in a diagnosis; the rest is one enter away in the check list. */
const EVIDENCE_LINES = 4;
/** A healthy run proves a lot; the body keeps room for the checks. */
const PROVEN_SHOWN = 6;

function evidenceRows(key: string, evidence: Evidence[], indent: string, width: number, maxLines?: number): Row[] {
  if (evidence.length === 0) return wrapped(key, `${indent}(no evidence recorded)`, width, indent, { dim: true });
  return uniqueEvidence(evidence).flatMap((e, i) => {
    let lines = evidenceLines(e, '');
    if (maxLines !== undefined && lines.length > maxLines + 1) {
      lines = [...lines.slice(0, maxLines + 1), `  … ${lines.length - 1 - maxLines} more line(s): enter on the check`];
    }
    return lines.flatMap((l, j) => wrapped(`${key}.e${i}.${j}`, `${indent}${l}`, width, `${indent}    `, { dim: !l.startsWith('evidence ') }));
  });
}

function diagnosisRows(result: ResultDocument, d: Diagnosis, n: number, showFixes: boolean, width: number): Row[] {
  const key = `d${n}`;
  const color = d.severity === 'fail' ? 'red' : 'yellow';
  // The heading: number and fault id coloured, the sentence wrapped under it.
  const [first, ...more] = wrapRows(`${n}. ${d.id} on ${d.hosts.join(', ') || '?'}: ${oneLine(d.summary)}`, width, '   ');
  const idEnd = `${n}. ${d.id}`.length;
  const rows: Row[] = [
    row(`${key}.blank`, ' '),
    row(`${key}.h`, (
      <>
        <Seg c={color} bold>{first.slice(0, idEnd)}</Seg>
        {first.slice(idEnd)}
      </>
    )),
    ...more.map((t, i) => row(`${key}.h${i}`, t)),
  ];
  rows.push(...(n === 1 ? evidenceRows(`${key}.ev`, d.evidence, '   ', width, EVIDENCE_LINES) : wrapped(`${key}.evn`, `   evidence: ${d.evidence.length} item(s), enter on check ${d.check}`, width, '   ', { dim: true })));
  if (showFixes) {
    d.fixes.forEach((f, j) => {
      rows.push(...wrapped(`${key}.f${j}`, `   fix on ${f.host}: ${oneLine(f.why)}`, width, '     ', { c: 'cyan' }));
      // A command wrapped for the screen keeps its indent; `c` prints it whole for copying.
      f.commands.forEach((c, k) => rows.push(...wrapped(`${key}.f${j}.${k}`, `     ${f.host}# ${c}`, width, '         ', { bold: true })));
    });
  }
  for (const c of consequencesOf(result, d)) {
    rows.push(...wrapped(`${key}.x.${c.id}`, `   explains ${c.id} on ${c.hosts.join(', ') || '?'} (check ${c.check}): ${oneLine(c.summary)}; no fix of its own`, width, '     ', { dim: true }));
  }
  return rows;
}

function checkRows(check: CheckResult, selected: boolean, expanded: boolean, width: number): Row[] {
  const reason = !check.reason ? '' : check.verdict === 'blocked' ? ` (blocked by ${check.reason})` : ` (${check.reason})`;
  const explained = check.explainedBy ? ` (a consequence: explained by ${check.explainedBy})` : '';
  const head = row(`c.${check.id}`, (
    <>
      {selected ? '›' : ' '}
      <Seg c={VERDICT_COLOR[check.verdict]} bold>{` ${checkMark(check.verdict)} `}</Seg>
      <Seg inverse={selected}>{check.id}</Seg>
      {`  ${oneLine(check.summary)}${reason}${explained}`}
    </>
  ));
  return expanded ? [head, ...evidenceRows(`c.${check.id}.ev`, check.evidence, '      ', width)] : [head];
}

/** Differences from the baseline shown on screen; the text face lists them all. */
const DIFFERENCES_SHOWN = 6;

/** What changed: since the previous run (`r`), and since the baseline (src/baseline/). */
function transitionRows(state: ViewState, result: ResultDocument, width: number): Row[] {
  const rows: Row[] = [];
  const color = result.verdict === 'ok' ? 'green' : result.verdict === 'fail' ? 'red' : 'yellow';
  if (state.previous) rows.push(...wrapped('t.run', `${transitionWords(state.previous, result)}  (since the previous run)`, width, '   ', { c: color, bold: true }));
  const b = result.baseline;
  if (!b) return rows;
  rows.push(row('t.blank', ' '), ...wrapped('t.b', `Changed since the baseline: ${b.differences.length + b.truncated} of ${b.compared} facts, against ${baselineTitle(b)}`, width, '   ', { bold: true }));
  if (b.previous && !state.previous) rows.push(...wrapped('t.bp', `   ${transitionWords(b.previous, result)}`, width, '     ', { c: color }));
  const list = orderedDifferences(b);
  list.slice(0, DIFFERENCES_SHOWN).forEach((d, i) => rows.push(...wrapped(`t.d${i}`, `   ~ ${differenceWords(d)}`, width, '       ', d.explains.length ? { c: 'yellow' } : { dim: true })));
  const more = list.length - DIFFERENCES_SHOWN + b.truncated;
  if (more > 0) rows.push(row('t.more', <Seg dim>{`   ~ ${more} more: --format text lists them all`}</Seg>));
  return rows;
}

export interface Body {
  rows: Row[];
  /** Rows of the selected check (its line and its expanded evidence): scrolling keeps them in view. */
  selected: { start: number; end: number } | null;
}

/** The scrolling part of a finished run. */
export function bodyRows(state: ViewState, result: ResultDocument, width: number): Body {
  const rows: Row[] = transitionRows(state, result, width);
  // A host that could not be reached explains the unknowns: its cause and the next step first.
  unreachedHosts(result).forEach((h, i) => {
    rows.push(row(`r${i}.blank`, ' '), ...wrapped(`r${i}`, `cannot reach ${h.name} (${h.role}): ${oneLine(h.reason ?? 'no reason given')}`, width, '   ', { c: 'magenta', bold: true }));
    if (h.hint) rows.push(...wrapped(`r${i}.next`, `   next: ${oneLine(h.hint)}`, width, '         ', { c: 'cyan' }));
  });
  rootDiagnoses(result).forEach((d, i) => rows.push(...diagnosisRows(result, d, i + 1, state.showFixes, width)));
  if (result.verdict === 'ok' && result.proven.length > 0) {
    rows.push(row('p.blank', ' '));
    result.proven.slice(0, PROVEN_SHOWN).forEach((p, i) => rows.push(row(`p${i}`, <Seg c="green">{`  + ${p}`}</Seg>)));
    if (result.proven.length > PROVEN_SHOWN) rows.push(row('p.more', <Seg dim>{`  + ${result.proven.length - PROVEN_SHOWN} more proven: see the checks below`}</Seg>));
  }
  result.unproven.forEach((p, i) => rows.push(...wrapped(`u${i}`, `  ? not proven: ${oneLine(p)}`, width, '      ', { c: 'magenta' })));
  (result.notes ?? []).forEach((n, i) => rows.push(...wrapped(`n${i}`, `  * note: ${oneLine(n)}`, width, '      ', { dim: true })));
  const list = navigableChecks(state);
  rows.push(row('c.blank', ' '), row('c.title', <Seg bold>{list.some((c) => c.verdict !== 'pass' && c.verdict !== 'skip') ? 'Checks to look at' : 'Checks'}</Seg>));
  let selected: Body['selected'] = null;
  list.forEach((c, i) => {
    const these = checkRows(c, i === state.cursor, state.expanded.includes(c.id), width);
    if (i === state.cursor) selected = { start: rows.length, end: rows.length + these.length - 1 };
    rows.push(...these);
  });
  return { rows, selected };
}

/** Rows the packet path takes (title, the two diagram lines, each hop with its details). */
export function packetPathHeight(hops: Hop[], hosts: NamedHost[], compact: boolean): number {
  if (hops.length === 0) return 1;
  return 3 + packetPathRows(hops, hosts).reduce((n, r) => {
    const d = pathDetails(r, compact);
    return n + 1 + d.where.length + d.instead.length;
  }, 0);
}

/** Detail rows under a hop: where it was (not) seen and what came instead; compact keeps what came instead of a broken hop. */
export function pathDetails(r: PathRow, compact: boolean): { where: string[]; instead: string[] } {
  const instead = r.state === 'broken' && r.instead.length === 0 ? ['nothing was seen instead'] : r.instead;
  if (compact) return { where: [], instead: r.state === 'broken' ? instead.slice(0, 2) : [] };
  return { where: whereLines(r), instead };
}

/** The fewest body rows worth scrolling through; below that the packet path gives up its details. */
const MIN_BODY = 5;

export interface DoneLayout {
  /** The packet path without where-seen lines (a short terminal). */
  compact: boolean;
  body: Body;
  /** Rows the body gets on screen (all of them without a height). */
  bodyHeight: number;
  /** First body row shown. */
  offset: number;
  /** Whether the body is longer than its window (a position line is shown). */
  scrolls: boolean;
}

/**
 * How a finished run fits `height` rows (undefined: no limit): the verdict, a blank row and the
 * packet path on top, the key line at the bottom, one row kept free so Ink never has to clear
 * the whole terminal, the body in what is left.
 */
export function doneLayout(state: ViewState, result: ResultDocument, width: number, height: number | undefined): DoneLayout {
  const body = bodyRows(state, result, width);
  if (height === undefined) return { compact: false, body, bodyHeight: body.rows.length, offset: 0, scrolls: false };
  const usable = height - 1;
  const full = packetPathHeight(result.hops, result.hosts, false);
  const compact = 2 + full + 1 + MIN_BODY > usable;
  const top = 2 + packetPathHeight(result.hops, result.hosts, compact);
  let bodyHeight = Math.max(1, usable - top - 1);
  const scrolls = body.rows.length > bodyHeight;
  if (scrolls) bodyHeight = Math.max(1, bodyHeight - 1);
  const offset = Math.max(0, Math.min(state.scroll, body.rows.length - bodyHeight));
  return { compact, body, bodyHeight, offset, scrolls };
}

/** The scroll offset that keeps the selected check (and its open evidence, as much as fits) in view. */
export function followSelection(state: ViewState, width: number, height: number | undefined): ViewState {
  if (!state.result || height === undefined) return state;
  const layout = doneLayout(state, state.result, width, height);
  const sel = layout.body.selected;
  if (!sel) return state;
  let offset = layout.offset;
  if (sel.end >= offset + layout.bodyHeight) offset = Math.min(sel.start, sel.end - layout.bodyHeight + 1);
  if (sel.start < offset) offset = sel.start;
  return offset === state.scroll ? state : { ...state, scroll: offset };
}

/** One page up (-1) or down (+1), keeping a row of the last page for context. */
export function scrollPage(state: ViewState, direction: 1 | -1, width: number, height: number | undefined): ViewState {
  if (!state.result || height === undefined) return state;
  const layout = doneLayout(state, state.result, width, height);
  const step = Math.max(1, layout.bodyHeight - 1);
  const max = Math.max(0, layout.body.rows.length - layout.bodyHeight);
  return { ...state, scroll: Math.max(0, Math.min(max, layout.offset + direction * step)) };
}
