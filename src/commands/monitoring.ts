// Monitoring reads stdout and the exit code only: with --format nagios or prometheus, every way
// a run can end (a usage error, a bad inventory, a missing bundle, a bug) still prints that
// format, so Nagios shows UNKNOWN with the reason and a .prom file is never left empty.
import { formatNagiosFailure } from '../report/nagios.js';
import { formatPrometheusFailure } from '../report/prometheus.js';
import type { CommandIO } from './io.js';

export type MonitoringFormat = 'nagios' | 'prometheus';

/** The --format the user asked for, read before (and whatever) the real parse finds wrong. */
export function monitoringFormatOf(argv: readonly string[]): MonitoringFormat | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i];
    if (arg === '--format' || arg === '-f') found = argv[i + 1];
    else if (arg.startsWith('--format=')) found = arg.slice('--format='.length);
    else if (/^-f[^-]/.test(arg)) found = arg.slice(2).replace(/^=/, '');
  }
  return found === 'nagios' || found === 'prometheus' ? found : undefined;
}

export interface MonitoredIO {
  io: CommandIO;
  /** The exit code to use once the command has returned `code` (or thrown: pass 70). */
  finish(code: number): number;
}

/** Wraps io to remember whether the report was printed and what went wrong last. */
export function monitored(format: MonitoringFormat | undefined, io: CommandIO): MonitoredIO {
  if (!format) return { io, finish: (code) => code };
  let printed = false;
  let lastError = '';
  const wrapped: CommandIO = {
    ...io,
    out: (text) => {
      if (text.length > 0) printed = true;
      io.out(text);
    },
    err: (text) => {
      const line = text.split('\n').find((l) => l.trim() !== '');
      if (line !== undefined) lastError = line.replace(/^lvs-doctor( \w+)?: /, '');
      io.err(text);
    },
  };
  return {
    io: wrapped,
    finish(code) {
      if (format === 'nagios') {
        // A report printed with a Nagios state stands; anything else is UNKNOWN, with the reason.
        if (printed && code >= 0 && code <= 3) return code;
        const n = formatNagiosFailure(lastError || `lvs-doctor exited ${code} without a report`);
        io.out(n.text);
        return n.exitCode;
      }
      if (!printed) io.out(formatPrometheusFailure(code));
      return code;
    },
  };
}
