// `--format prometheus`: a page for node_exporter's textfile collector
// (write it to DIR/lvs_doctor.prom.$$ and rename, so the collector never reads half a file).
//
// Metrics (all gauges):
//   lvs_doctor_up                                        1 a diagnosis ran; 0 it could not (then only
//                                                        lvs_doctor_exit_code follows: 64 usage, 65 bad input, ...)
//   lvs_doctor_info{version,protocol,vip,vport}          1
//   lvs_doctor_verdict{verdict="ok|warn|fail|unknown"}   1 for the run's verdict, 0 for the other three
//   lvs_doctor_exit_code                                 0 ok, 1 warn, 2 fail, 3 unknown (as Nagios)
//   lvs_doctor_duration_seconds                          wall time of the run
//   lvs_doctor_last_run_timestamp_seconds                when the run started (alert on staleness)
//   lvs_doctor_check{id,question,host}                   1 passed (pass or skip), 0 otherwise
//   lvs_doctor_check_state{id,question,host}             0 pass/skip, 1 warn, 2 fail, 3 unknown/blocked/error
//   lvs_doctor_diagnosis{id,host,severity}               1 per root-cause fault named, per host
//   lvs_doctor_consequence{id,host,explained_by}         1 per fault that is a consequence of a root cause
//   lvs_doctor_hop_seen{hop,name}                        1 seen, 0 looked for and not seen (absent: not captured)
//   lvs_doctor_connections{realserver,state}             IPVS connection table entries (SYN_RECV, ESTABLISHED, other)
//   lvs_doctor_syn_recv_ratio{realserver}                SYN_RECV / all entries (0 with no entries); near 1 = replies not coming back
// Only when the run was compared with a baseline (--baseline, or the site's last ok run):
//   lvs_doctor_baseline_differences{host,kind}           facts that differ from the baseline, per host of the run and kind
//                                                        of fact (route, rule, address, sysctl, ipvs, firewall, listener); 0s included
//   lvs_doctor_baseline_facts_compared                   facts both runs read and compared
//   lvs_doctor_baseline_age_seconds{source}              how old the baseline is (source: given | last-ok)
import type { BaselineReport, StateKind } from '../model/baseline.js';
import type { CheckResult, CheckVerdict } from '../model/check.js';
import { EXIT_CODES } from '../model/result.js';
import type { OverallVerdict, ResultDocument } from '../model/result.js';
import { displaySafe } from './untrusted-text.js';
import { rootDiagnoses } from './diagnoses.js';

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  samples: { labels: Labels; value: number }[];
}

const STATE: Record<CheckVerdict, number> = { pass: 0, skip: 0, warn: 1, fail: 2, unknown: 3, blocked: 3, error: 3 };
const VERDICTS: OverallVerdict[] = ['ok', 'warn', 'fail', 'unknown'];

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The host a check speaks about: the fault's hosts, else those of its evidence. */
function checkHost(c: CheckResult): string {
  const hosts = c.faultHosts?.length ? c.faultHosts : [...new Set(c.evidence.map((e) => e.host))];
  return hosts.join(',');
}

function render(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    const seen = new Set<string>();
    for (const s of f.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(',');
      // A series may appear once per page; a second identical label set would make the page invalid.
      if (seen.has(labels)) continue;
      seen.add(labels);
      lines.push(`${f.name}${labels ? `{${labels}}` : ''} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every kind of fact the baseline compares (src/baseline/state-facts.ts), so that a kind with no difference reads 0, not absent. */
const STATE_KINDS: readonly StateKind[] = ['route', 'rule', 'address', 'sysctl', 'ipvs', 'firewall', 'listener'];

/** The baseline's families: a count per host and kind (every host of the run, zeros included), what was compared, its age. */
function baselineFamilies(baseline: BaselineReport, hosts: readonly string[]): Family[] {
  const count = (host: string, kind: StateKind): number => baseline.differences.filter((d) => d.host === host && d.kind === kind).length;
  const named = [...new Set([...hosts, ...baseline.differences.map((d) => d.host)])];
  return [
    {
      name: 'lvs_doctor_baseline_differences',
      help: 'Facts of a host (by kind) that differ from the baseline the run was compared with (--baseline or the last ok run).',
      samples: named.flatMap((host) => STATE_KINDS.map((kind) => ({ labels: { host, kind }, value: count(host, kind) }))),
    },
    { name: 'lvs_doctor_baseline_facts_compared', help: 'Facts read by both the run and its baseline, and compared.', samples: [{ labels: {}, value: baseline.compared }] },
    {
      name: 'lvs_doctor_baseline_age_seconds',
      help: 'Seconds between the recording of the baseline and the start of the run (source: given or last-ok).',
      samples: baseline.ageSeconds === null ? [] : [{ labels: { source: baseline.source }, value: baseline.ageSeconds }],
    },
  ];
}

const EXIT_HELP = 'Exit code of the last run: 0 ok, 1 warn, 2 fail, 3 unknown; 64 usage, 65 bad input, 66 unreadable input, 70 internal error.';
const UP_HELP = '1 when lvs-doctor ran a diagnosis, 0 when it could not (usage, bad input, internal error).';

/**
 * The page when no diagnosis ran: the textfile collector then reads lvs_doctor_up 0 (alertable)
 * instead of an empty file, and the exit code says why.
 */
export function formatPrometheusFailure(exitCode: number): string {
  return render([
    { name: 'lvs_doctor_up', help: UP_HELP, samples: [{ labels: {}, value: 0 }] },
    { name: 'lvs_doctor_exit_code', help: EXIT_HELP, samples: [{ labels: {}, value: exitCode }] },
  ]);
}

export function formatPrometheus(untrusted: ResultDocument): string {
  const result = displaySafe(untrusted);
  const { protocol, vip, vport } = result.service;
  const table = result.connectionTable ?? [];
  const families: Family[] = [
    { name: 'lvs_doctor_up', help: UP_HELP, samples: [{ labels: {}, value: 1 }] },
    {
      name: 'lvs_doctor_info',
      help: 'lvs-doctor version and the virtual service it checked.',
      samples: [{ labels: { version: result.tool.version, protocol, vip, vport: String(vport) }, value: 1 }],
    },
    {
      name: 'lvs_doctor_verdict',
      help: 'Overall verdict of the last run: 1 for the verdict it reached, 0 for the others.',
      samples: VERDICTS.map((v) => ({ labels: { verdict: v }, value: v === result.verdict ? 1 : 0 })),
    },
    {
      name: 'lvs_doctor_exit_code',
      help: EXIT_HELP,
      samples: [{ labels: {}, value: EXIT_CODES[result.verdict] }],
    },
    {
      name: 'lvs_doctor_duration_seconds',
      help: 'Wall time of the last run in seconds.',
      samples: [{ labels: {}, value: result.durationMs / 1000 }],
    },
    {
      name: 'lvs_doctor_last_run_timestamp_seconds',
      help: 'Unix time at which the last run started.',
      samples: Number.isNaN(Date.parse(result.startedAt)) ? [] : [{ labels: {}, value: Date.parse(result.startedAt) / 1000 }],
    },
    {
      name: 'lvs_doctor_check',
      help: 'One check of the Q.1-Q.4 graph: 1 passed (or not applicable), 0 warn, fail, unknown, blocked or error.',
      samples: result.checks.map((c) => ({ labels: { id: c.id, question: c.question, host: checkHost(c) }, value: STATE[c.verdict] === 0 ? 1 : 0 })),
    },
    {
      name: 'lvs_doctor_check_state',
      help: 'One check of the Q.1-Q.4 graph: 0 pass or skip, 1 warn, 2 fail, 3 unknown, blocked or error.',
      samples: result.checks.map((c) => ({ labels: { id: c.id, question: c.question, host: checkHost(c) }, value: STATE[c.verdict] })),
    },
    {
      name: 'lvs_doctor_diagnosis',
      help: 'A fault of FAULTS.md named by the last run as a root cause, per host it is on.',
      samples: rootDiagnoses(result).flatMap((d) =>
        (d.hosts.length ? d.hosts : ['']).map((host) => ({ labels: { id: d.id, host, severity: d.severity }, value: 1 })),
      ),
    },
    {
      name: 'lvs_doctor_consequence',
      help: 'A fault seen by the last run that another diagnosis explains (explained_by): no fix of its own.',
      samples: result.diagnoses.flatMap((d) =>
        d.explainedBy === undefined ? [] : (d.hosts.length ? d.hosts : ['']).map((host) => ({ labels: { id: d.id, host, explained_by: d.explainedBy ?? '' }, value: 1 })),
      ),
    },
    {
      name: 'lvs_doctor_hop_seen',
      help: 'Hop of the test connection: 1 the expected packet was seen, 0 looked for and not seen.',
      samples: result.hops
        .filter((h) => h.status !== 'not-captured')
        .map((h) => ({ labels: { hop: String(h.index), name: h.name }, value: h.status === 'seen' ? 1 : 0 })),
    },
    {
      name: 'lvs_doctor_connections',
      help: 'IPVS connection table entries per realserver and state.',
      samples: table.flatMap((r) => [
        { labels: { realserver: r.realserver, state: 'SYN_RECV' }, value: r.synRecv },
        { labels: { realserver: r.realserver, state: 'ESTABLISHED' }, value: r.established },
        { labels: { realserver: r.realserver, state: 'other' }, value: r.other },
      ]),
    },
    {
      name: 'lvs_doctor_syn_recv_ratio',
      help: 'Share of the IPVS connection entries to a realserver that are in SYN_RECV (0 when it has none).',
      samples: table.map((r) => {
        const total = r.synRecv + r.established + r.other;
        return { labels: { realserver: r.realserver }, value: total === 0 ? 0 : r.synRecv / total };
      }),
    },
    ...(result.baseline ? baselineFamilies(result.baseline, result.hosts.map((h) => h.name)) : []),
  ];
  return render(families.filter((f) => f.samples.length > 0));
}
