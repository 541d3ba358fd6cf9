import { ParseError } from '../model/parse-error.js';

export interface NumberedLine {
  /** 1-based line number in the original input. */
  no: number;
  text: string;
}

/** Splits command output into numbered lines, dropping one trailing newline and CRs of CRLF. */
export function numberedLines(input: string): NumberedLine[] {
  const raw = input.replace(/\r\n/g, '\n').split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((text, i) => ({ no: i + 1, text }));
}

/** Non-blank numbered lines. */
export function contentLines(input: string): NumberedLine[] {
  return numberedLines(input).filter((l) => l.text.trim() !== '');
}

/** Parses a decimal integer field strictly, or throws a ParseError naming the line. */
export function intField(value: string | undefined, what: string, line: NumberedLine): number {
  if (value === undefined || !/^-?\d+$/.test(value)) {
    throw new ParseError(`expected ${what} (an integer)`, line.no, line.text);
  }
  return Number(value);
}
