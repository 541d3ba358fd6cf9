// The `lvs.conf` / `lvs_nat.conf` input of the LVS-HOWTO configure script (seed 5.3, 5.5):
// shell-style `KEY=value` lines. Interpreted: `VIP=DEVICE HOST [NETMASK [BROADCAST]]`,
// `DIP=...` (same shape), `LVS_TYPE=VS_NAT|VS_DR|VS_TUN` and every
// `SERVICE=t|u|f PORT SCHEDULER [HOST[:PORT][,WEIGHT] ...]`. Other keys are kept verbatim.
import { ParseError } from '../model/parse-error.js';
import { numberedLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface LvsConfInterface {
  line: number;
  /** e.g. "eth0:110" (an alias) or "eth0". */
  device: string;
  /** An address or a host name, as written. */
  host: string;
  netmask: string | null;
  broadcast: string | null;
}

export interface LvsConfRealserver {
  /** An address or a host name, as written. */
  host: string;
  /** A number or a service name ("telnet"); null when omitted (the service's port). */
  port: number | string | null;
  weight: number | null;
}

export interface LvsConfService {
  line: number;
  /** t = TCP, u = UDP, f = firewall mark. */
  protocol: 't' | 'u' | 'f';
  /** Port number, service name, or the fwmark for protocol f. */
  port: number | string;
  scheduler: string;
  realservers: LvsConfRealserver[];
}

export interface LvsConf {
  format: 'lvs-conf';
  lvsType: string | null;
  vip: LvsConfInterface | null;
  dip: LvsConfInterface | null;
  services: LvsConfService[];
  /** Every other KEY=value, in file order. */
  settings: { line: number; key: string; value: string }[];
}

function portOrName(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

function iface(value: string, line: NumberedLine): LvsConfInterface {
  const [device, host, netmask, broadcast, ...rest] = value.split(/\s+/);
  if (!device || !host || rest.length) throw new ParseError('expected DEVICE HOST [NETMASK [BROADCAST]]', line.no, line.text);
  return { line: line.no, device, host, netmask: netmask ?? null, broadcast: broadcast ?? null };
}

function service(value: string, line: NumberedLine): LvsConfService {
  const [protocol, port, scheduler, ...servers] = value.split(/\s+/);
  const fail = (what: string): ParseError => new ParseError(what, line.no, line.text);
  if (protocol !== 't' && protocol !== 'u' && protocol !== 'f') throw fail('expected SERVICE=t|u|f PORT SCHEDULER [REALSERVER ...]');
  if (!port || !/^[A-Za-z0-9_-]+$/.test(port)) throw fail('expected a port number or service name after the protocol');
  if (!scheduler || !/^[a-z]+$/.test(scheduler)) throw fail('expected a scheduler name (rr, wlc, ...) after the port');
  const realservers = servers.map((s) => {
    const m = /^([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_-]+))?(?:,(\d+))?$/.exec(s);
    if (!m) throw fail(`expected HOST[:PORT][,WEIGHT], got "${s}"`);
    return { host: m[1], port: m[2] === undefined ? null : portOrName(m[2]), weight: m[3] === undefined ? null : Number(m[3]) };
  });
  return { line: line.no, protocol, port: portOrName(port), scheduler, realservers };
}

function parseLvsConf(input: string): LvsConf {
  const conf: LvsConf = { format: 'lvs-conf', lvsType: null, vip: null, dip: null, services: [], settings: [] };
  for (const line of numberedLines(input)) {
    const text = line.text.trim();
    if (text === '' || text.startsWith('#')) continue;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(text);
    if (!m) throw new ParseError("expected 'KEY=value' or a '#' comment", line.no, line.text);
    const [, key, raw] = m;
    const value = raw.trim();
    if (key === 'SERVICE') conf.services.push(service(value, line));
    else if (key === 'VIP') conf.vip = iface(value, line);
    else if (key === 'DIP' || key === 'DIRECTOR_INSIDEIP') conf.dip = iface(value, line);
    else if (key === 'LVS_TYPE') conf.lvsType = value;
    else conf.settings.push({ line: line.no, key, value });
  }
  return conf;
}

export const lvsConfParser: TextParser<LvsConf> = {
  id: 'lvs-conf',
  description: "the LVS-HOWTO configure script's lvs.conf (VIP=, DIP=, SERVICE=t telnet rr rs1:telnet ...)",
  kind: 'text',
  parse: parseLvsConf,
};
