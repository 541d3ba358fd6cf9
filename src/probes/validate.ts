// Strict patterns for every value a probe puts into argv. A value that fails stops that probe
// only (ProbeValidationError); quoting in src/transport/quote.ts is the second line of defence.
import { isIPv4, isIPv6 } from '../util/ip.js';
import { isInterfaceName } from '../util/names.js';

export class ProbeValidationError extends Error {
  override readonly name = 'ProbeValidationError';
  constructor(
    readonly what: string,
    readonly value: unknown,
  ) {
    super(`invalid ${what}: ${JSON.stringify(value)}`);
  }
}

function text(what: string, value: unknown): string {
  if (typeof value !== 'string') throw new ProbeValidationError(what, value);
  return value;
}

export function ipAddress(value: unknown): string {
  const v = text('IP address', value);
  if (!isIPv4(v) && !isIPv6(v)) throw new ProbeValidationError('IP address', value);
  return v;
}

export function ipv4Address(value: unknown): string {
  const v = text('IPv4 address', value);
  if (!isIPv4(v)) throw new ProbeValidationError('IPv4 address', value);
  return v;
}

export function port(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ProbeValidationError('port', value);
  }
  return value;
}

/** The same rule as the inventory's and the command line's (src/util/names.ts). */
export function interfaceName(value: unknown): string {
  const v = text('interface name', value);
  if (!isInterfaceName(v)) throw new ProbeValidationError('interface name', value);
  return v;
}

const PROC_OR_ETC = /^\/(proc|etc)(\/[A-Za-z0-9_.:@+-]+)+$/;

export function systemPath(value: unknown): string {
  const v = text('file path', value);
  if (!PROC_OR_ETC.test(v) || v.split('/').some((part) => part === '..' || part === '.')) {
    throw new ProbeValidationError('file path (under /proc or /etc)', value);
  }
  return v;
}

const SYSCTL = /^[a-z0-9_]+(\.[A-Za-z0-9_/@:-]+)*$/;

export function sysctlName(value: unknown): string {
  const v = text('sysctl name', value);
  if (!SYSCTL.test(v) || v.length > 200) throw new ProbeValidationError('sysctl name', value);
  return v;
}

export function positiveInt(what: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ProbeValidationError(what, value);
  }
  return value;
}

export function seconds(value: unknown): number {
  return positiveInt('seconds', value, 3600);
}
