// The flags that turn a diagnosis into a fix (--fix ID, --yes, --dry-run), checked apart from
// the rest of diagnose's options so that the write path has one entry.
import { isFaultId } from '../model/faults.js';
import { echoValue } from '../util/names.js';
import { OptionError } from './ssh-options.js';

export const FIX_OPTIONS = {
  fix: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
} as const;

interface FixFlags {
  fix?: string;
  yes?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  'json-stream'?: boolean;
  format?: string;
}

/** The fix asked for, or null for a plain (read-only) diagnosis; throws OptionError. */
export function fixRequestOf(values: FixFlags): { id: string; yes: boolean; dryRun: boolean } | null {
  if (values.fix === undefined) {
    const stray = values.yes ? '--yes' : values['dry-run'] ? '--dry-run' : null;
    if (stray) throw new OptionError(`${stray} goes with --fix ID`);
    return null;
  }
  if (!isFaultId(values.fix)) throw new OptionError(`--fix ${echoValue(values.fix)}: not a fault id (lvs-doctor explain --help lists them; the report names the one to fix)`);
  if (values.yes && values['dry-run']) throw new OptionError('--yes applies, --dry-run does not: give one');
  if (values.json || values['json-stream'] || values.format !== undefined) throw new OptionError('--fix prints its plan and outcome as text: no --json/--format');
  return { id: values.fix, yes: Boolean(values.yes), dryRun: Boolean(values['dry-run']) };
}
