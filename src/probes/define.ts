import type { ProbeCommand } from './probe.js';

export type ProbeFields = Omit<ProbeCommand, 'key'> & { key?: string };

/** Fills the dedupe key from parser + argv: the same command read the same way is one probe. */
export function defineProbe(fields: ProbeFields): ProbeCommand {
  return { ...fields, key: fields.key ?? `${fields.parser} ${JSON.stringify(fields.argv)}` };
}

export const SHORT_MS = 10_000;
