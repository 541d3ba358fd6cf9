// `lvs-doctor parse FORMAT [FILE|-]`: a jc-like tool for LVS people, and the contract the
// parser tests use. Prints the typed result as JSON; malformed input exits 65 (EX_DATAERR)
// with FILE:LINE: what was expected — never a stack trace.
import { readFileSync } from 'node:fs';
import { ParseError } from '../model/parse-error.js';
import { parserRegistry, parseWith } from '../parsers/index.js';
import type { CommandIO } from './io.js';
import { EX_DATAERR, EX_NOINPUT, EX_USAGE, HELP, usageOf, wantsHelp } from './help.js';

export { EX_DATAERR, EX_NOINPUT, EX_USAGE };

export async function parseCommand(args: string[], io: CommandIO): Promise<number> {
  if (wantsHelp(args)) {
    io.out(`${HELP.parse}\n`);
    return 0;
  }
  if (args[0] === '--list' || args.length === 0) {
    const ids = Object.values(parserRegistry).sort((a, b) => a.id.localeCompare(b.id));
    if (args.length === 0) io.err('usage: lvs-doctor parse FORMAT [FILE|-]   (formats below)\n');
    for (const p of ids) io.out(`${p.id.padEnd(20)} ${p.description}\n`);
    return args.length === 0 ? EX_USAGE : 0;
  }
  const stray = args.find((a) => a.startsWith('-') && a !== '-');
  if (stray !== undefined || args.length > 2) {
    io.err(`lvs-doctor parse: ${stray !== undefined ? `unknown option ${stray}` : `one FORMAT and one FILE, got ${args.length} arguments`}\n${usageOf('parse')}`);
    return EX_USAGE;
  }
  const [format, file = '-'] = args;
  if (!parserRegistry[format]) {
    io.err(`lvs-doctor parse: unknown format '${format}'; try: ${Object.keys(parserRegistry).sort().join(', ')}\n`);
    return EX_USAGE;
  }
  let data: Uint8Array;
  try {
    data = file === '-' ? await io.readStdin() : readFileSync(file);
  } catch (err) {
    io.err(`lvs-doctor parse: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return EX_NOINPUT;
  }
  const name = file === '-' ? '<stdin>' : file;
  try {
    const result = await parseWith(format, data);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ParseError) {
      io.err(`${name}:${err.line}: ${err.expected}${err.text !== undefined ? ` (got: ${JSON.stringify(err.text.slice(0, 120))})` : ''}\n`);
      return EX_DATAERR;
    }
    throw err;
  }
}
