// Splits a pasted transcript (a ticket, a mailing-list post) into command outputs. What people
// paste: shell prompts with the command echoed, `watch` headers, a mail client's "> " quote
// prefix on every line, the whole paste indented, a blank line after every line (web forms
// and some mail clients double the line breaks), several outputs one after the other. Each
// part keeps the line numbers of the original text, so every complaint can name its line.

export interface PasteLine {
  /** 1-based line number in the pasted text. */
  no: number;
  text: string;
}

export interface PastePart {
  /** The command echoed before the output (by a prompt or a `watch` header), if any. */
  command: string | null;
  /** The host the prompt or `watch` header names, if any. */
  host: string | null;
  /** Line number of the prompt or header line (null for parts without one). */
  promptLine: number | null;
  /** The output, its common indentation removed; original line numbers kept. */
  lines: PasteLine[];
}

export interface SplitResult {
  parts: PastePart[];
  /** What was done to the text as a whole ("> " prefixes removed, doubled line breaks closed). */
  notes: string[];
}

/** Commands whose echo we recognise after a bare `#` or `$` prompt (a `#` alone is also a comment). */
export const KNOWN_COMMANDS = [
  'ipvsadm', 'ipvsadm-save', 'ip', 'route', 'netstat', 'ping', 'ping6', 'tcpdump', 'sysctl', 'cat', 'grep', 'egrep', 'watch',
  'conntrack', 'iptables', 'iptables-save', 'ip6tables-save', 'nft', 'ss', 'traceroute', 'tracepath', 'nstat', 'less', 'more', 'head', 'tail', 'sudo',
];

const KNOWN = new Set(KNOWN_COMMANDS);

// [root@lvs1 ~]# cmd   |   [root@lvs1 ~]$ cmd
const BRACKET_PROMPT = /^\[([A-Za-z0-9_.-]+)@([A-Za-z0-9_.-]+)(?: [^\]]*)?\][#$%] ?(.*)$/;
// root@lvs1:~# cmd   |   admin@rs1:/etc$ cmd
const USER_AT_PROMPT = /^([A-Za-z0-9_.-]+)@([A-Za-z0-9_.-]+):[^\s#$]*[#$%] ?(.*)$/;
// lvs1:~ # cmd (SUSE)   |   lvs1:/etc# cmd   |   lvs1# cmd
const HOST_PROMPT = /^([A-Za-z][A-Za-z0-9_.-]*)(?::[^\s#$]*)? ?[#$] (.*)$/;
// # cmd   |   $ cmd   (only with a command we know: "# comment" is common in configs)
const BARE_PROMPT = /^[#$] (.+)$/;
// Every 2.0s: ipvsadm -Ln        lvs1: Sun Dec  6 01:23:45 2026   (older watch: no host, only the date;
// a locale may write the interval with a decimal comma: "Every 1,0s")
const WATCH_HEADER = /^Every \d+(?:[.,]\d+)?s: (.+)$/;

interface Prompt {
  host: string | null;
  command: string;
}

function firstWord(command: string): string {
  const words = command.trim().split(/\s+/);
  const w = words[0] === 'sudo' ? words[1] ?? '' : words[0] ?? '';
  return w.replace(/^.*\//, '');
}

/** The prompt a line starts with, or null. Host names only where the prompt shows one. */
export function readPrompt(text: string): Prompt | null {
  let m = BRACKET_PROMPT.exec(text) ?? USER_AT_PROMPT.exec(text);
  if (m) return { host: m[2], command: m[3].trim() };
  m = WATCH_HEADER.exec(text);
  if (m) {
    const [command, right = ''] = m[1].split(/\s{2,}/);
    const host = /^(\S+): /.exec(right)?.[1] ?? null;
    return { host, command: `watch ${command.trim()}` };
  }
  m = HOST_PROMPT.exec(text);
  if (m && KNOWN.has(firstWord(m[2]))) return { host: m[1], command: m[2].trim() };
  m = BARE_PROMPT.exec(text);
  if (m && KNOWN.has(firstWord(m[1]))) return { host: null, command: m[1].trim() };
  return null;
}

/** The command a `watch CMD` or `sudo CMD` ran, for choosing a parser. */
export function innerCommand(command: string): string {
  let c = command.trim();
  for (;;) {
    const next = c.replace(/^(?:sudo|watch(?:\s+-[nd]\s*[\d.,]*|\s+--\S+)*)\s+/, '').replace(/^'([^']*)'$|^"([^"]*)"$/, '$1$2');
    if (next === c) return c;
    c = next;
  }
}

const QUOTE = /^(?:> ?)+/;

/** Removes a mail quote prefix when most non-blank lines carry it (a stray '>' line is not a quote). */
function unquote(lines: PasteLine[], notes: string[]): PasteLine[] {
  const content = lines.filter((l) => l.text.trim() !== '');
  const quoted = content.filter((l) => /^>/.test(l.text));
  if (content.length === 0 || quoted.length / content.length < 0.6) return lines;
  notes.push(`the mail quote prefix '> ' was removed from ${quoted.length} line(s)`);
  return lines.map((l) => ({ no: l.no, text: l.text.replace(QUOTE, '') }));
}

/** Closes doubled line breaks: a blank line after every line of the paste. */
function undouble(lines: PasteLine[], notes: string[]): PasteLine[] {
  const trimmedEnd = [...lines];
  while (trimmedEnd.length > 0 && trimmedEnd[trimmedEnd.length - 1].text.trim() === '') trimmedEnd.pop();
  const start = trimmedEnd.findIndex((l) => l.text.trim() !== '');
  if (start < 0) return lines;
  const body = trimmedEnd.slice(start);
  // Doubled: content lines never touch; blanks come in runs of one (a separator run of three = one blank).
  let contentRuns = 0;
  let adjacent = 0;
  for (let i = 0; i < body.length; i++) {
    const blank = body[i].text.trim() === '';
    if (!blank) contentRuns += 1;
    if (!blank && i > 0 && body[i - 1].text.trim() !== '') adjacent += 1;
  }
  if (contentRuns < 4 || adjacent > 0) return lines;
  notes.push('the paste had a blank line after every line; single blank lines were closed');
  const out: PasteLine[] = [];
  for (let i = 0; i < body.length; i++) {
    const blank = body[i].text.trim() === '';
    if (!blank) {
      out.push(body[i]);
      continue;
    }
    // A run of three or more blanks was a real blank line between outputs.
    let run = 1;
    while (i + run < body.length && body[i + run].text.trim() === '') run += 1;
    if (run >= 3) out.push(body[i]);
    i += run - 1;
  }
  return out;
}

/** Removes the indentation every non-blank line of a part shares. */
export function dedent(lines: PasteLine[]): PasteLine[] {
  const content = lines.filter((l) => l.text.trim() !== '');
  if (content.length === 0) return lines;
  let prefix = /^[ \t]*/.exec(content[0].text)![0];
  for (const l of content) {
    while (prefix !== '' && !l.text.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix === '' ? lines : lines.map((l) => ({ no: l.no, text: l.text.startsWith(prefix) ? l.text.slice(prefix.length) : l.text.trimStart() }));
}

function trimBlankEdges(lines: PasteLine[]): PasteLine[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].text.trim() === '') a += 1;
  while (b > a && lines[b - 1].text.trim() === '') b -= 1;
  return lines.slice(a, b);
}

export function splitTranscript(text: string): SplitResult {
  const notes: string[] = [];
  const raw = text.replace(/\r\n?/g, '\n').split('\n').map((t, i) => ({ no: i + 1, text: t.replace(/\s+$/, '') }));
  // The whole paste may be indented (a forum's code block); prompts are read after that.
  const lines = dedent(undouble(unquote(raw, notes), notes));
  const parts: PastePart[] = [];
  let current: PastePart = { command: null, host: null, promptLine: null, lines: [] };
  const flush = (): void => {
    const body = trimBlankEdges(current.lines);
    if (body.length > 0 || current.command !== null) parts.push({ ...current, lines: dedent(body) });
  };
  for (const line of lines) {
    // A Markdown code fence (```sh) in a forum or issue paste ends one output like a prompt would.
    // So does a rule of '=' or '-' a writer drew between outputs (no command prints one alone).
    if (/^(?:```|~~~)[\w+-]*$/.test(line.text.trim()) || /^[=_*~#-]{5,}$/.test(line.text.trim())) {
      flush();
      current = { command: null, host: null, promptLine: null, lines: [] };
      continue;
    }
    // A prompt may be indented with the rest of a quoted block.
    const prompt = readPrompt(line.text.trimStart());
    if (prompt) {
      // `watch CMD` at a prompt, then watch's own header: one output, the prompt's host kept.
      const watchAfterPrompt = prompt.command.startsWith('watch ') && current.command?.startsWith('watch') && trimBlankEdges(current.lines).length === 0;
      const host = watchAfterPrompt && prompt.host === null ? current.host : prompt.host;
      if (!watchAfterPrompt) flush();
      current = { command: prompt.command === '' ? null : prompt.command, host, promptLine: line.no, lines: [] };
      continue;
    }
    current.lines.push(line);
  }
  flush();
  // A prompt with nothing after it (the last line of many pastes) is no output.
  return { parts: parts.filter((p) => p.lines.length > 0 || (p.command !== null && p.command !== '')), notes };
}
