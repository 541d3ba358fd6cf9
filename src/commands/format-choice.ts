import type { CommandIO } from './io.js';

export const FORMATS = ['tui', 'text', 'json', 'json-stream', 'nagios', 'prometheus'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatFlags {
  json?: boolean;
  'json-stream'?: boolean;
  format?: string;
}

/**
 * Ink checks the same variables (is-in-ci): under CI it writes no live frame, only the last one
 * at exit, so a "live" TUI there would show nothing until it quits.
 */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  const set = (key: string): boolean => key in env && env[key] !== '0' && env[key] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** The face for this run; null (after saying why) for an unknown --format. */
export function chooseFormat(flags: FormatFlags, io: CommandIO): Format | null {
  if (flags.json) return 'json';
  if (flags['json-stream']) return 'json-stream';
  const f = flags.format;
  if (f === undefined) return io.isTTY && !inCi(io.env) ? 'tui' : 'text';
  if (!(FORMATS as readonly string[]).includes(f)) {
    io.err(`lvs-doctor: unknown --format '${f}' (${FORMATS.join(', ')})\n`);
    return null;
  }
  if (f === 'tui' && inCi(io.env)) {
    io.err('lvs-doctor: CI is set in the environment, where Ink draws no live frames; printing the text report instead (unset CI for the TUI)\n');
    return 'text';
  }
  return f as Format;
}
