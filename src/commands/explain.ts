// `lvs-doctor explain FILE... | -`: what people do on mailing lists -- paste outputs and wait
// for an expert -- as a command. The paste is untrusted: its size is capped before it is read,
// and every face shows its text with control characters escaped.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RunEvent } from '../model/events.js';
import { EXIT_CODES } from '../model/result.js';
import { REPORTERS } from '../report/reporters.js';
import { formatText } from '../report/text.js';
import { chooseFormat } from './format-choice.js';
import { EX_DATAERR, EX_NOINPUT, EX_OK, EX_USAGE, HELP, usageOf, wantsHelp } from './help.js';
import type { CommandIO } from './io.js';
import { echoValue } from '../util/names.js';
import { explainPaste, MAX_PASTE_BYTES } from '../explain/explain.js';
import { formatPasteReading } from '../explain/format.js';

const OPTIONS = {
  json: { type: 'boolean' },
  'json-stream': { type: 'boolean' },
  format: { type: 'string' },
  'no-color': { type: 'boolean' },
} as const;

/** Reads the inputs, refusing what is too big before reading it. A message, or the text. */
async function readPaste(files: string[], io: CommandIO): Promise<{ text: string } | { code: number; message: string }> {
  const pieces: string[] = [];
  let total = 0;
  for (const file of files) {
    let data: Uint8Array;
    try {
      if (file === '-') data = await io.readStdin();
      else {
        const size = statSync(file).size;
        if (total + size > MAX_PASTE_BYTES) return { code: EX_DATAERR, message: `${echoValue(file)}: the paste is larger than ${MAX_PASTE_BYTES} bytes; give the outputs that matter` };
        data = readFileSync(file);
      }
    } catch (err) {
      return { code: EX_NOINPUT, message: `cannot read ${echoValue(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    total += data.length;
    if (total > MAX_PASTE_BYTES) return { code: EX_DATAERR, message: `the paste is larger than ${MAX_PASTE_BYTES} bytes; give the outputs that matter` };
    pieces.push(Buffer.from(data).toString('utf8'));
  }
  // Files are joined as separate outputs: a blank line keeps one's end from another's start.
  return { text: pieces.join('\n\n') };
}

async function* replay(events: RunEvent[]): AsyncGenerator<RunEvent> {
  for (const e of events) yield e;
}

export async function explainCommand(args: string[], io: CommandIO): Promise<number> {
  if (wantsHelp(args)) {
    io.out(`${HELP.explain}\n`);
    return EX_OK;
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`lvs-doctor explain: ${(err as Error).message}\n${usageOf('explain')}`);
    return EX_USAGE;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    io.err(`lvs-doctor explain: give the pasted text as FILE..., or - for stdin\n${usageOf('explain')}`);
    return EX_USAGE;
  }
  if (positionals.filter((p) => p === '-').length > 1) {
    io.err(`lvs-doctor explain: stdin (-) can be read only once\n${usageOf('explain')}`);
    return EX_USAGE;
  }
  const format = chooseFormat(values, io);
  if (!format) return EX_USAGE;
  const paste = await readPaste(positionals, io);
  if ('code' in paste) {
    io.err(`lvs-doctor explain: ${paste.message}\n`);
    return paste.code;
  }
  const report = explainPaste(paste.text);
  const { result } = report;
  if (format === 'tui') {
    if (report.events.length > 0) {
      const { runTui } = await import('../ui/run-tui.js');
      await runTui(replay(report.events), { noColor: Boolean(values['no-color']) });
      // The TUI shows the checks; how the paste was read stays on the screen after it.
      io.out(formatPasteReading(result));
    } else io.out(`${formatPasteReading(result)}\n${formatText(result)}`);
    return EXIT_CODES[result.verdict];
  }
  if (format === 'text') {
    io.out(`${formatPasteReading(result)}\n${formatText(result)}`);
    return EXIT_CODES[result.verdict];
  }
  const reporter: { event?: (e: RunEvent) => string; result?: (r: typeof result) => { text: string; exitCode?: number } } = REPORTERS[format];
  if (reporter.event) for (const e of report.events) io.out(reporter.event(e));
  const printed = reporter.result?.(result);
  if (printed) {
    io.out(printed.text);
    if (printed.exitCode !== undefined) return printed.exitCode;
  }
  return EXIT_CODES[result.verdict];
}
