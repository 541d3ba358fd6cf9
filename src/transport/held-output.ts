// A command's stdout, stderr and exit status held in shell variables until the script frames
// them: nothing is written on the host. Used where a command's frame cannot be written while it
// runs (the test connections, run together; a batch's item run beside the others).
//
// The command's stderr goes through fd 4 to the outer substitution, its stdout into $o; the
// outer one holds "<stderr>$B:<stdout> <status>". The trailing " <status>" keeps the output's
// trailing newlines, which a command substitution would strip; NUL bytes are lost (the shell
// cannot hold them), which the text these commands print has none of. $B is the script's
// boundary, which no output contains.

/** Runs `commandLine` with its output held: leaves "<stderr>$B:<stdout>" in $a and the status in `status`. */
export function holdOutput(commandLine: string, status: string): string {
  if (!/^[a-z]+$/.test(status)) throw new Error(`bad variable name '${status}'`);
  return `a=$( { o=$( ${commandLine} 2>&4 4>&-; printf ' %s' "$?" ); printf '%s' "$B:$o"; } 4>&1 ); ${status}=\${a##* }; a=\${a% *}`;
}

/** The held stdout, as one quoted word. */
export const HELD_STDOUT = '"${a#*"$B:"}"';
/** The held stderr, as one quoted word. */
export const HELD_STDERR = '"${a%%"$B:"*}"';
