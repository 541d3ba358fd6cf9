/** A parser turns one command's output into a typed result, or throws a ParseError naming the line. */
export interface TextParser<T = unknown> {
  id: string;
  /** One line for `lvs-doctor parse --list`: which command's output this reads. */
  description: string;
  kind: 'text';
  parse(text: string): T;
}

/** Parsers of binary input (pcap) take the raw bytes. */
export interface BinaryParser<T = unknown> {
  id: string;
  description: string;
  kind: 'binary';
  parse(data: Uint8Array): T | Promise<T>;
}

export type Parser = TextParser | BinaryParser;
