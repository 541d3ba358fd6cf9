// Kernel settings as `sysctl NAME...` prints them (`name = value`), as `grep -H . /proc/sys/...`
// prints them (`/proc/sys/a/b:value`), or bare values from `sysctl -n` (names unknown here: the
// probe knows the order it asked in). Names are normalised to sysctl's dotted form.
import { ParseError } from '../model/parse-error.js';
import { numberedLines } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface SysctlEntry {
  /** Dotted name, e.g. net.ipv4.conf.eth0.rp_filter (a '.' inside an interface name becomes '/'). */
  name: string;
  /** Verbatim; multi-field values keep their tabs (net.ipv4.ip_local_port_range = "32768\t60999"). */
  value: string;
  form: 'sysctl' | 'path';
  line: number;
}

export interface SysctlResult {
  format: 'sysctl';
  values: Record<string, string>;
  entries: SysctlEntry[];
  /** `sysctl -n` output: values without names, in order. */
  bareValues: { value: string; line: number }[];
  /** sysctl's complaints: `sysctl: cannot stat /proc/sys/x: No such file or directory`, permission denied ... */
  errors: { key: string | null; message: string; line: number }[];
}

const NOT_A_BARE_VALUE = /^\s*[>|]|\s=\s|\s=$|\/proc\/sys\/|\s->\s/;
const namePart = /^[A-Za-z0-9_/:@.+-]+$/;

/** /proc/sys/net/ipv4/conf/eth0.100/rp_filter -> net.ipv4.conf.eth0/100.rp_filter (sysctl's own convention). */
export function procPathToSysctlName(path: string): string {
  return path.replace(/^\/proc\/sys\//, '').split('/').map((seg) => seg.replace(/\./g, '/')).join('.');
}

export function parseSysctl(text: string): SysctlResult {
  const r: SysctlResult = { format: 'sysctl', values: {}, entries: [], bareValues: [], errors: [] };
  for (const line of numberedLines(text)) {
    if (line.text.trim() === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^sysctl: (.+)$/.exec(line.text))) {
      const message = m[1];
      const key = /cannot stat (\/proc\/sys\/\S+?):/.exec(message)?.[1] ?? /(?:key|reading key) ['"]([^'"]+)['"]/.exec(message)?.[1] ?? null;
      r.errors.push({ key: key !== null && key.startsWith('/proc/sys/') ? procPathToSysctlName(key) : key, message, line: line.no });
      continue;
    }
    let entry: SysctlEntry | null = null;
    if ((m = /^(\/proc\/sys\/[^:\s]+):(.*)$/.exec(line.text))) {
      entry = { name: procPathToSysctlName(m[1]), value: m[2], form: 'path', line: line.no };
    } else if ((m = /^(\S+) = (.*)$/.exec(line.text)) ?? (m = /^(\S+) =$/.exec(line.text))) {
      if (!m[1].split('.').every((p) => namePart.test(p))) throw new ParseError('expected a sysctl name', line.no, line.text);
      entry = { name: m[1], value: m[2] ?? '', form: 'sysctl', line: line.no };
    }
    if (entry !== null) {
      r.entries.push(entry);
      r.values[entry.name] = entry.value;
    } else if (NOT_A_BARE_VALUE.test(line.text)) {
      // A quoted paste ("> net.x = 1") or a listing ("/proc/sys/x -> 1") carries names this
      // parser cannot read; taking them as `sysctl -n` values would pair wrong names and values.
      throw new ParseError("expected 'name = value', '/proc/sys/PATH:value' or a bare `sysctl -n` value", line.no, line.text);
    } else {
      r.bareValues.push({ value: line.text, line: line.no });
    }
  }
  // A bare line among named ones is not `sysctl -n` output but something not understood.
  if (r.entries.length > 0 && r.bareValues.length > 0) {
    const stray = r.bareValues[0];
    throw new ParseError("expected 'name = value' or '/proc/sys/PATH:value'", stray.line, stray.value);
  }
  return r;
}

export const sysctlParser: TextParser<SysctlResult> = {
  id: 'sysctl',
  description: "sysctl NAME... ('name = value'), grep -H . /proc/sys/... ('path:value'), sysctl -n (bare values)",
  kind: 'text',
  parse: parseSysctl,
};
