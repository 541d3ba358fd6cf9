// Format -> reporter: what each non-interactive face prints, while the run goes (per event) and
// at its end (the result). The TUI is not here: it is a UI (src/ui/), not a printed report.
import type { RunEvent } from '../model/events.js';
import type { ResultDocument } from '../model/result.js';
import { toJson } from './json.js';
import { jsonStreamLine } from './json-stream.js';
import { formatNagios } from './nagios.js';
import { formatPrometheus } from './prometheus.js';
import { formatText } from './text.js';

export interface Report {
  text: string;
  /** Set when the format has its own exit codes (Nagios); otherwise the verdict's code is used. */
  exitCode?: number;
}

export interface Reporter {
  /** Printed for every event of the run, as it happens. */
  event?(event: RunEvent): string;
  /** Printed once the run has a result. */
  result?(result: ResultDocument): Report;
}

export const REPORTERS = {
  text: { result: (r) => ({ text: formatText(r) }) },
  json: { result: (r) => ({ text: toJson(r) }) },
  'json-stream': { event: jsonStreamLine },
  prometheus: { result: (r) => ({ text: formatPrometheus(r) }) },
  nagios: {
    result: (r) => {
      const n = formatNagios(r);
      return { text: n.text.endsWith('\n') ? n.text : `${n.text}\n`, exitCode: n.exitCode };
    },
  },
} satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof REPORTERS;
