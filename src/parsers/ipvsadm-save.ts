// `ipvsadm -S` / `ipvsadm -S -n` (= ipvsadm-save): the table as restore commands, one per line:
//   -A -t 10.0.0.1:80 -s rr [-p 300 [-M 255.255.255.0]] [--pe sip] [-o] [-b sh-port]
//   -a -t 10.0.0.1:80 -r 10.1.1.11:80 -m -w 1 [--tun-type gue --tun-port 6080 --tun-csum]
// with -u, --sctp-service, or "-f MARK [-6]" in place of "-t ADDR:PORT".
import type { ForwardMethod } from '../model/virtual-service.js';
import type { NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { CONNECTION_ENDPOINT_COLUMN, familyOf, fields, parseEndpoint, parseFwmark, parseUnsigned, type IpvsEndpoint } from './ipvsadm-common.js';

export interface IpvsadmSaveDestination extends IpvsEndpoint {
  /**
   * -m = Masq, -i = Tunnel, -g = Route. ipvsadm saves a Local destination as -g too, so a
   * Route here may have been Local in the table.
   */
  forward: ForwardMethod;
  weight: number;
  /** --tun-type and its options, as saved ("gue --tun-port 6080 --tun-csum"); null if absent. */
  tunnel: string | null;
}

export interface IpvsadmSaveService {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  address: string | null;
  port: number | string | null;
  fwmark: number | null;
  family: 'ipv4' | 'ipv6' | null;
  scheduler: string;
  schedulerFlags: string[];
  persistent: number | null;
  persistenceMask: string | null;
  persistenceEngine: string | null;
  onePacket: boolean;
  destinations: IpvsadmSaveDestination[];
}

export interface IpvsadmSave {
  format: 'ipvsadm-save';
  services: IpvsadmSaveService[];
}

/** True for a line ipvsadm -S prints. */
export function isSaveLine(text: string): boolean {
  return /^-[Aa] /.test(text.trim());
}

interface Key {
  protocol: IpvsadmSaveService['protocol'];
  address: string | null;
  port: number | string | null;
  fwmark: number | null;
  family: 'ipv4' | 'ipv6' | null;
}

export function parseSave(lines: NumberedLine[]): IpvsadmSave {
  const services: IpvsadmSaveService[] = [];
  for (const line of lines) {
    const f = fields(line.text);
    const { key, rest } = parseServiceKey(f.slice(1), line);
    if (f[0] === '-A') {
      services.push({ ...key, ...serviceOptions(rest, line), destinations: [] });
    } else if (f[0] === '-a') {
      const service = services.find((s) => s.protocol === key.protocol && s.address === key.address && s.port === key.port && s.fwmark === key.fwmark && s.family === key.family);
      if (!service) throw new ParseError('expected the -A line of this service before its -a lines', line.no, line.text);
      service.destinations.push(destinationOptions(rest, line));
    } else {
      throw new ParseError("expected an ipvsadm-save rule starting with '-A' or '-a'", line.no, line.text);
    }
  }
  return { format: 'ipvsadm-save', services };
}

function parseServiceKey(f: string[], line: NumberedLine): { key: Key; rest: string[] } {
  const [option, value] = f;
  if (option === '-f') {
    const mark = parseFwmark(value, line);
    const ipv6 = f[2] === '-6';
    return { key: { protocol: 'FWM', address: null, port: null, fwmark: mark.fwmark, family: ipv6 ? 'ipv6' : 'ipv4' }, rest: f.slice(ipv6 ? 3 : 2) };
  }
  const protocol = option === '-t' ? 'TCP' : option === '-u' ? 'UDP' : option === '--sctp-service' ? 'SCTP' : null;
  if (!protocol || value === undefined) throw new ParseError('expected -t, -u, --sctp-service or -f and the virtual service', line.no, line.text);
  const endpoint = parseEndpoint(value, CONNECTION_ENDPOINT_COLUMN, line, 'the virtual service');
  return {
    key: { protocol, address: endpoint.address, port: endpoint.port, fwmark: null, family: familyOf(endpoint, value.startsWith('[')) },
    rest: f.slice(2),
  };
}

function serviceOptions(f: string[], line: NumberedLine): Omit<IpvsadmSaveService, keyof Key | 'destinations'> {
  const options = { scheduler: '', schedulerFlags: [] as string[], persistent: null as number | null, persistenceMask: null as string | null, persistenceEngine: null as string | null, onePacket: false };
  for (let k = 0; k < f.length; k++) {
    const value = f[k + 1];
    switch (f[k]) {
      case '-s':
        if (value === undefined) throw new ParseError('expected a scheduler after -s', line.no, line.text);
        options.scheduler = value;
        k++;
        break;
      case '-p':
        options.persistent = parseUnsigned(value, line, 'the persistence timeout after -p');
        k++;
        break;
      case '-M':
        if (value === undefined) throw new ParseError('expected a netmask after -M', line.no, line.text);
        options.persistenceMask = value;
        k++;
        break;
      case '--pe':
        if (value === undefined) throw new ParseError('expected a persistence engine after --pe', line.no, line.text);
        options.persistenceEngine = value;
        k++;
        break;
      case '-b':
        if (value === undefined) throw new ParseError('expected scheduler flags after -b', line.no, line.text);
        options.schedulerFlags = value.split(',');
        k++;
        break;
      case '-o':
        options.onePacket = true;
        break;
      default:
        throw new ParseError(`expected a service option (-s, -p, -M, --pe, -o, -b), found '${f[k]}'`, line.no, line.text);
    }
  }
  if (options.scheduler === '') throw new ParseError('expected -s SCHEDULER on an -A line', line.no, line.text);
  return options;
}

const FORWARD_SWITCH: Record<string, ForwardMethod> = { '-m': 'Masq', '-i': 'Tunnel', '-g': 'Route' };

function destinationOptions(f: string[], line: NumberedLine): IpvsadmSaveDestination {
  if (f[0] !== '-r' || f[1] === undefined) throw new ParseError('expected -r SERVER after the service on an -a line', line.no, line.text);
  const endpoint = parseEndpoint(f[1], CONNECTION_ENDPOINT_COLUMN, line, 'the real server');
  const forward = FORWARD_SWITCH[f[2] ?? ''];
  if (!forward) throw new ParseError('expected -m, -g or -i after the real server', line.no, line.text);
  if (f[3] !== '-w') throw new ParseError('expected -w WEIGHT after the forwarding switch', line.no, line.text);
  const weight = parseUnsigned(f[4], line, 'the weight after -w');
  const tail = f.slice(5);
  if (tail.length > 0 && (tail[0] !== '--tun-type' || tail[1] === undefined)) {
    throw new ParseError(`expected --tun-type or nothing after the weight, found '${tail[0]}'`, line.no, line.text);
  }
  return { ...endpoint, forward, weight, tunnel: tail.length > 0 ? tail.slice(1).join(' ') : null };
}
