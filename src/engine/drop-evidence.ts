// --trace-drops: the kernel's drop reason becomes evidence of the diagnosis it proves, on the
// host where the test connection's packet vanished (director.rp-filter proven by IP_RPFILTER on
// the director). A reason no diagnosis on that host accounts for, and a host that could not
// trace, become notes: said, never silently dropped.
import type { CheckResult, Evidence } from '../model/check.js';
import type { FaultId } from '../model/faults.js';
import type { ResultDocument } from '../model/result.js';
import type { DropTraceFacts, MatchedDrop } from '../facts/drop-match.js';

/** Which diagnoses a kernel drop reason can prove (include/net/dropreason-core.h). */
export const FAULTS_BY_REASON: Readonly<Record<string, readonly FaultId[]>> = {
  IP_RPFILTER: ['director.rp-filter', 'realserver.silent-drop'],
  NO_SOCKET: ['realserver.no-listener', 'director.no-virtual-service'],
  NETFILTER_DROP: ['director.firewall-drop', 'realserver.silent-drop', 'realserver.firewall-reject', 'director.no-weight', 'director.untranslated-leak'],
  IP_INADDRERRORS: ['director.ip-forward-off'],
  IP_INNOROUTES: ['director.vip-not-local', 'director.ip-forward-off'],
  IP_OUTNOROUTES: ['director.vip-not-local'],
};

function dropNote(d: MatchedDrop): string {
  return `the kernel dropped the test connection's packet ${d.src} -> ${d.dst} that came in on ${d.dev}: reason ${d.reason} (in ${d.location})`;
}

function hostsOf(c: CheckResult): string[] {
  return c.faultHosts ?? (c.evidence[0] ? [c.evidence[0].host] : []);
}

/** The checks with the drop evidence added where a reason proves their fault, and notes for the rest. */
export function withDropEvidence(checks: CheckResult[], traces: DropTraceFacts[] | undefined): { checks: CheckResult[]; notes: string[] } {
  if (!traces) return { checks, notes: [] };
  const notes: string[] = [];
  const added = new Map<string, Evidence[]>();
  for (const t of traces) {
    if (t.status === 'unavailable') {
      notes.push(`--trace-drops on ${t.host}: no drop reasons (${t.message ?? 'unknown'})`);
      continue;
    }
    if (t.truncated) notes.push(`--trace-drops on ${t.host}: the trace's output was cut short (a slow host); its last events are missing`);
    if (t.lost) notes.push(`--trace-drops on ${t.host}: the trace ring lost ${t.lost} events (a busy host); a drop may be missing`);
    // One line of evidence per reason and host: every retransmission says the same.
    const byReason = new Map<string, MatchedDrop[]>();
    for (const d of t.drops) byReason.set(d.reason, [...(byReason.get(d.reason) ?? []), d]);
    for (const [reason, drops] of byReason) {
      const faults = FAULTS_BY_REASON[reason] ?? [];
      const proves = checks.find((c) => (c.verdict === 'fail' || c.verdict === 'warn') && c.fault && faults.includes(c.fault) && hostsOf(c).includes(t.host));
      const first = drops[0];
      const times = drops.length > 1 ? ` (${drops.length} packets)` : '';
      if (!proves) {
        notes.push(`--trace-drops on ${t.host}: ${dropNote(first)}${times}`);
        continue;
      }
      const evidence: Evidence = { host: t.host, command: t.command.replace('lvsd-*', t.instance ?? 'lvsd-*'), lines: first.lines, note: `${dropNote(first)}${times}` };
      added.set(proves.id, [...(added.get(proves.id) ?? []), evidence]);
    }
  }
  return { checks: checks.map((c) => (added.has(c.id) ? { ...c, evidence: [...c.evidence, ...added.get(c.id)!] } : c)), notes };
}

/** The document's `dropTraces`: per host, what was traced and the test connection's drops. */
export function dropTracesOf(traces: DropTraceFacts[] | undefined): ResultDocument['dropTraces'] {
  if (!traces) return undefined;
  return traces.map((t) => ({
    host: t.host,
    status: t.status,
    ...(t.message ? { message: t.message } : {}),
    ...(t.lost ? { lost: t.lost } : {}),
    drops: t.drops.map((d) => ({ reason: d.reason, location: d.location, dev: d.dev, src: d.src, dst: d.dst })),
  }));
}
