// A strict reader of the Prometheus text exposition format (0.0.4), enough to refuse what
// node_exporter's textfile collector would refuse: bad names, bad escapes, samples before
// their TYPE, a family split in two, a series twice.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (${VALUE})(?: -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseExposition(page: string): ParsedSample[] {
  if (!page.endsWith('\n')) throw new Error('page must end with a newline');
  const lines = page.slice(0, -1).split('\n');
  const typed = new Set<string>();
  const helped = new Set<string>();
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: string | null = null;
  const samples: ParsedSample[] = [];
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    const help = HELP.exec(line);
    const type = TYPE.exec(line);
    if (help || type) {
      const name = (help ?? type)![1];
      if (finished.has(name) || (current !== null && current !== name && typed.has(name))) throw new Error(`family ${name} split: ${where}`);
      if (current !== null && current !== name) finished.add(current);
      current = name;
      const set = help ? helped : typed;
      if (set.has(name)) throw new Error(`second ${help ? 'HELP' : 'TYPE'} for ${name}: ${where}`);
      set.add(name);
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample, HELP or TYPE line: ${where}`);
    const name = m[1];
    if (name !== current || !typed.has(name)) throw new Error(`sample outside its family (TYPE first): ${where}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (lm[1] in labels) throw new Error(`label ${lm[1]} twice: ${where}`);
      labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`series twice: ${where}`);
    series.add(key);
    const raw = m[3];
    samples.push({ name, labels, value: raw === 'NaN' ? NaN : raw.endsWith('Inf') ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw) });
  });
  return samples;
}
