/**
 * The one failure a parser may throw. It names the line that was not understood, so that
 * `lvs-doctor parse` can print `FILE:LINE: what was expected` and the engine can cite it.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    /** What the parser expected at this point, e.g. "expected a destination line '-> RIP:PORT ...'". */
    readonly expected: string,
    /** 1-based line number in the input, or 0 when the problem is the input as a whole. */
    readonly line: number,
    /** The offending line's text (truncated), when there is one. */
    readonly text?: string,
  ) {
    super(line > 0 ? `line ${line}: ${expected}${text !== undefined ? `: ${JSON.stringify(clip(text))}` : ''}` : expected);
  }
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
