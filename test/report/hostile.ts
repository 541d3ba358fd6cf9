// A result whose host-provided strings carry terminal control sequences (for the faces' tests).
import type { ResultDocument } from '../../src/model/result.js';
import { replyRouteResult } from './samples.js';

// Set the title, clear the screen, plant an OSC 8 link, a C1 CSI, a right-to-left override.
export const TITLE = '\u001b]0;pwned\u0007';
export const CLEAR = '\u001b[2J';
export const LINK = '\u001b]8;;http://x.example/\u001b\\click\u001b]8;;\u001b\\';
export const C1 = '\u009b31m';
export const RLO = '\u202e';

/** A result whose host-provided strings carry those sequences. */
export function hostileResult(): ResultDocument {
  const doc = replyRouteResult();
  const d = doc.diagnoses[0];
  doc.diagnoses[0] = {
    ...d,
    summary: `${d.summary} ${TITLE}`,
    hosts: [`rs1${CLEAR}`],
    evidence: [{ ...d.evidence[0], lines: [`10.0.0.2 via 10.1.1.254 dev eth0 ${LINK}`, `cache ${C1}${RLO}`] }],
    fixes: [{ ...d.fixes[0], why: `${d.fixes[0].why}${CLEAR}` }],
  };
  doc.summary = `${doc.summary}${TITLE}`;
  doc.checks = doc.checks.map((c) => ({ ...c, summary: `${c.summary}${TITLE}`, evidence: c.evidence.map((e) => ({ ...e, lines: [...e.lines, `via ${LINK} ${C1}${RLO}`] })) }));
  doc.connectionTable = [{ realserver: `rs1${TITLE}`, synRecv: 1, established: 0, other: 0 }];
  return doc;
}
