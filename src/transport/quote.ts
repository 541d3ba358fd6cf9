// The one place an argv element becomes remote-shell text. Single-quote style: inside '...'
// nothing is special except the quote itself, which is closed, escaped and reopened.

/** Quotes one argv element for a POSIX shell, always (a bare `A=b` would be an assignment); NUL is refused. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every element and joins them into one command line. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
