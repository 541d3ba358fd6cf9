// `lvs-doctor parse FORMAT [FILE|-]`: a jc-like tool for LVS people, and the contract the
// parser tests use. Prints the typed result as JSON; malformed input exits 65 (EX_DATAERR)
// with FILE:LINE: what was expected — never a stack trace.
import { readFileSync } from 'node:fs';
import { ParseError } from '../model/parse-error.js';
import { parserRegistry, parseWith } from '../parsers/index.js';
import { detect } from '../explain/detect.js';
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
  if (args[0] === '--auto') return parseAuto(args.slice(1), io);
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
  const data = await readInput(file, io);
  if (typeof data === 'number') return data;
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

async function readInput(file: string, io: CommandIO): Promise<Uint8Array | number> {
  try {
    return file === '-' ? await io.readStdin() : readFileSync(file);
  } catch (err) {
    io.err(`lvs-doctor parse: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return EX_NOINPUT;
  }
}

/** `parse --auto [FILE|-]`: explain's detector alone, on one command's output. */
async function parseAuto(args: string[], io: CommandIO): Promise<number> {
  const stray = args.find((a) => a.startsWith('-') && a !== '-');
  if (stray !== undefined || args.length > 1) {
    io.err(`lvs-doctor parse: ${stray !== undefined ? `unknown option ${stray}` : `--auto takes one FILE, got ${args.length} arguments`}\n${usageOf('parse')}`);
    return EX_USAGE;
  }
  const file = args[0] ?? '-';
  const data = await readInput(file, io);
  if (typeof data === 'number') return data;
  const name = file === '-' ? '<stdin>' : file;
  const found = detect(Buffer.from(data).toString('utf8'));
  if (found.parser === null) {
    io.err(`${name}: no parser reads this text whole:\n`);
    for (const r of found.refusals) io.err(`  ${r.parser}: ${r.line > 0 ? `line ${r.line}: ` : ''}${r.reason}\n`);
    return EX_DATAERR;
  }
  io.out(`${JSON.stringify({ format: found.parser, result: found.result }, null, 2)}\n`);
  return 0;
}
