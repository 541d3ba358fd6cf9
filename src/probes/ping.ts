// Q.1: can the realserver reach the client from its RIP? Loss exits 1: data, not failure.
// It shares a session with the host's other reads: on a working path it answers in
// milliseconds, and on a broken one its one second passes while the test connection waits too.
// `beside`: it may run beside the session's other reads (a realserver's ping towards the
// client, the director's to the RIPs: on a broken path, or to a realserver that drops pings, its
// second passes while they run, and the reads the test connection waits for are not held behind
// it: see src/engine/before-connection.ts).
import { defineProbe } from './define.js';
import type { ProbeCommand } from './probe.js';
import { ipAddress } from './validate.js';

export function ping(from: string, to: string, options: { beside?: boolean } = {}): ProbeCommand {
  return defineProbe({ argv: ['ping', '-n', '-c1', '-W1', '-I', ipAddress(from), ipAddress(to)], parser: 'ping', timeoutMs: 5_000, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true, quick: true, ...(options.beside ? { besideOthers: true } : {}) });
}
