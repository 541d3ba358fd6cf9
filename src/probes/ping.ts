// Q.1: can the realserver reach the client from its RIP? Loss exits 1: data, not failure.
import { defineProbe } from './define.js';
import type { ProbeCommand } from './probe.js';
import { ipAddress } from './validate.js';

export function ping(from: string, to: string): ProbeCommand {
  return defineProbe({ argv: ['ping', '-n', '-c1', '-W1', '-I', ipAddress(from), ipAddress(to)], parser: 'ping', timeoutMs: 5_000, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true });
}
