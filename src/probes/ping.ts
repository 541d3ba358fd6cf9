// Q.1: can the realserver reach the client from its RIP? Loss exits 1: data, not failure.
// It shares a session with the host's other reads: on a working path it answers in
// milliseconds, and on a broken one its one second passes while the test connection waits too.
import { defineProbe } from './define.js';
import type { ProbeCommand } from './probe.js';
import { ipAddress } from './validate.js';

export function ping(from: string, to: string): ProbeCommand {
  return defineProbe({ argv: ['ping', '-n', '-c1', '-W1', '-I', ipAddress(from), ipAddress(to)], parser: 'ping', timeoutMs: 5_000, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true, quick: true });
}
