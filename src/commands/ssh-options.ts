// The ssh tuning flags that diagnose and discover share (--connect-timeout,
// --keep-connections): whole seconds in a sane range, refused with the flag's name rather
// than handed to ssh as they are.
import { defaultReuseDir } from '../transport/ssh-reuse.js';

export class OptionError extends Error {}

export interface SshTuningValues {
  'connect-timeout'?: string;
  'keep-connections'?: string;
}

export interface SshTuning {
  connectTimeoutSec?: number;
  keepConnections?: { dir: string; seconds: number };
}

export const SSH_TUNING_OPTIONS = {
  'connect-timeout': { type: 'string' },
  'keep-connections': { type: 'string' },
} as const;

export function secondsOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new OptionError(`--${name} ${value}: give whole seconds from ${min} to ${max}`);
  return n;
}

/** Throws OptionError on a bad value. */
export function sshTuning(values: SshTuningValues, env: NodeJS.ProcessEnv = process.env): SshTuning {
  const connect = secondsOption('connect-timeout', values['connect-timeout'], 1, 300);
  const keep = secondsOption('keep-connections', values['keep-connections'], 1, 86_400);
  return {
    ...(connect !== undefined ? { connectTimeoutSec: connect } : {}),
    ...(keep !== undefined ? { keepConnections: { dir: env.LVS_DOCTOR_SOCKET_DIR || defaultReuseDir(env), seconds: keep } } : {}),
  };
}
