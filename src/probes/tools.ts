// Which tools a host has, in one round trip. The script is a constant; tool names are argv
// after it ($1...), validated, never interpolated.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';
import { ProbeValidationError } from './validate.js';

const SCRIPT = 'for t do command -v "$t" || true; done';

export function toolCheck(tools: readonly string[]): ProbeCommand {
  for (const t of tools) if (!/^[a-z0-9][a-z0-9_.+-]{0,63}$/.test(t)) throw new ProbeValidationError('tool name', t);
  return defineProbe({ argv: ['sh', '-c', SCRIPT, 'sh', ...tools], parser: 'tools', timeoutMs: SHORT_MS, needsRoot: false });
}
