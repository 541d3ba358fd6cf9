// The small outputs of ipvsadm: `ipvsadm -L --timeout`, `ipvsadm -L --daemon`, and the error
// messages it prints instead of a table (fail() in ipvsadm.c, ipvs_strerror() in libipvs.c).
import type { NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { normalised } from './ipvsadm-common.js';

export interface IpvsadmTimeout {
  format: 'ipvsadm-timeout';
  tcpSeconds: number;
  tcpFinSeconds: number;
  udpSeconds: number;
}

const TIMEOUT_LINE = /^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)$/;

export function isTimeoutLine(text: string): boolean {
  return TIMEOUT_LINE.test(normalised(text));
}

export function parseTimeout(lines: NumberedLine[]): IpvsadmTimeout {
  const [line, extra] = lines;
  const m = line ? TIMEOUT_LINE.exec(normalised(line.text)) : null;
  if (!m || !line) throw new ParseError("expected 'Timeout (tcp tcpfin udp): N N N'", line?.no ?? 0, line?.text);
  if (extra) throw new ParseError('expected nothing after the timeout line', extra.no, extra.text);
  return { format: 'ipvsadm-timeout', tcpSeconds: Number(m[1]), tcpFinSeconds: Number(m[2]), udpSeconds: Number(m[3]) };
}

export interface IpvsSyncDaemon {
  role: 'master' | 'backup';
  /** The multicast interface (mcast=). */
  interface: string;
  syncId: number;
  /** The optional fields newer kernels report; null when not printed. */
  maxLength: number | null;
  group: string | null;
  port: number | null;
  ttl: number | null;
}

export interface IpvsadmDaemon {
  format: 'ipvsadm-daemon';
  daemons: IpvsSyncDaemon[];
}

const DAEMON_LINE = /^(master|backup) sync daemon \((.*)\)$/;

export function isDaemonLine(text: string): boolean {
  return DAEMON_LINE.test(normalised(text));
}

export function parseDaemon(lines: NumberedLine[]): IpvsadmDaemon {
  return { format: 'ipvsadm-daemon', daemons: lines.map(parseDaemonLine) };
}

function parseDaemonLine(line: NumberedLine): IpvsSyncDaemon {
  const m = DAEMON_LINE.exec(normalised(line.text));
  if (!m) throw new ParseError("expected 'master|backup sync daemon (mcast=IF, syncid=N, ...)'", line.no, line.text);
  const values = new Map<string, string>();
  for (const part of m[2].split(', ')) {
    const kv = /^([a-z]+)=(\S+)$/.exec(part);
    if (!kv || values.has(kv[1])) throw new ParseError(`expected KEY=VALUE in the daemon line, found '${part}'`, line.no, line.text);
    values.set(kv[1], kv[2]);
  }
  const number = (key: string): number | null => {
    const v = values.get(key);
    if (v === undefined) return null;
    if (!/^\d+$/.test(v)) throw new ParseError(`expected a number for ${key}=`, line.no, line.text);
    return Number(v);
  };
  const known = ['mcast', 'syncid', 'maxlen', 'group', 'port', 'ttl'];
  const unknown = [...values.keys()].find((k) => !known.includes(k));
  if (unknown) throw new ParseError(`expected only ${known.join(', ')} in the daemon line, found '${unknown}'`, line.no, line.text);
  const iface = values.get('mcast');
  const syncId = number('syncid');
  if (iface === undefined || syncId === null) throw new ParseError('expected mcast= and syncid= in the daemon line', line.no, line.text);
  return { role: m[1] === 'master' ? 'master' : 'backup', interface: iface, syncId, maxLength: number('maxlen'), group: values.get('group') ?? null, port: number('port'), ttl: number('ttl') };
}

export type IpvsadmErrorKind =
  | 'cannot-initialize'
  | 'no-such-service'
  | 'service-not-defined'
  | 'no-such-destination'
  | 'service-exists'
  | 'destination-exists'
  | 'scheduler-not-found'
  | 'daemon-running'
  | 'no-daemon'
  | 'permission-denied'
  | 'invalid-operation'
  | 'protocol-not-available'
  | 'memory-allocation'
  | 'ipv6-not-supported'
  | 'address-family-not-supported'
  | 'module-wrong-version'
  | 'connection-table-unreadable'
  | 'usage';

export interface IpvsadmError {
  format: 'ipvsadm-error';
  kind: IpvsadmErrorKind;
  /** The message as printed, lines joined with "\n". */
  message: string;
  /** For 'cannot-initialize': the kind of the underlying reason ("Protocol not available" = no IPVS in the kernel). */
  cause?: IpvsadmErrorKind | null;
  /** The underlying reason's text, e.g. "Protocol not available". */
  reason?: string;
}

// ipvs_strerror()'s table, which every failing command prints alone on a line.
const STRERROR: ReadonlyArray<[string, IpvsadmErrorKind]> = [
  ['No such service', 'no-such-service'],
  ['Service not defined', 'service-not-defined'],
  ['No such destination', 'no-such-destination'],
  ['Service already exists', 'service-exists'],
  ['Destination already exists', 'destination-exists'],
  ['Scheduler or persistence engine not found', 'scheduler-not-found'],
  ['Scheduler not found', 'scheduler-not-found'],
  ['Daemon has already run', 'daemon-running'],
  ['No daemon is running', 'no-daemon'],
  ['Permission denied (you must be root)', 'permission-denied'],
  ['Invalid operation. Possibly wrong module version, address not unicast, ...', 'invalid-operation'],
  ['Protocol not available', 'protocol-not-available'],
  ['Memory allocation problem', 'memory-allocation'],
  ['Operation not supported with IPv6', 'ipv6-not-supported'],
  ['Operation not supported with specified address family', 'address-family-not-supported'],
  ['Module is wrong version', 'module-wrong-version'],
];

const INIT = /^Can't initialize ipvs: (.+)$/;
const INIT_HINT = 'Are you sure that IP Virtual Server is built in the kernel or as module?';
const USAGE = [
  /^Try `.+ -h' or '.+ --help' for more information\.$/,
  /^options conflicts in the list command$/,
  /^Illegal '.+' option with the '.+' command$/,
  /^The option '.+' conflicts with the '.+' option in the '.+' command$/,
  /^You need to supply the '.+' option for the '.+' command$/,
  /^invalid option `.+'$/,
  /^multiple commands specified$/,
  /^.+: unknown option$/,
];

/** The error result when the whole input is one of ipvsadm's error messages, else null. */
export function parseError(lines: NumberedLine[]): IpvsadmError | null {
  const texts = lines.map((l) => normalised(l.text));
  const message = lines.map((l) => l.text.trim()).join('\n');
  const init = texts.length >= 1 && texts.length <= 2 ? INIT.exec(texts[0]) : null;
  if (init && (texts.length === 1 || texts[1] === INIT_HINT)) {
    return { format: 'ipvsadm-error', kind: 'cannot-initialize', message, cause: strerrorKind(init[1]), reason: init[1] };
  }
  if (texts.length !== 1) return null;
  const kind = strerrorKind(texts[0]);
  if (kind) return { format: 'ipvsadm-error', kind, message };
  if (/^(cannot open file|unexpected input from) \/proc\/net\/ip_vs_conn$/.test(texts[0])) {
    return { format: 'ipvsadm-error', kind: 'connection-table-unreadable', message };
  }
  if (USAGE.some((re) => re.test(texts[0]))) return { format: 'ipvsadm-error', kind: 'usage', message };
  return null;
}

function strerrorKind(text: string): IpvsadmErrorKind | null {
  return STRERROR.find(([m]) => m === normalised(text))?.[1] ?? null;
}
