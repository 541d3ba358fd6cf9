// Q.2: does the path from RIP to CIP go through the director? Bounded: 8 hops x 1 s, sent at
// once, so about a second when hops are silent: it shares a session like ping (see ping.ts),
// beside the session's other reads, so that its second and ping's pass together.
import { defineProbe } from './define.js';
import type { ProbeCommand } from './probe.js';
import { ipAddress } from './validate.js';

export function traceroute(from: string, to: string): ProbeCommand {
  return defineProbe({ argv: ['traceroute', '-n', '-w1', '-q1', '-m8', '-s', ipAddress(from), ipAddress(to)], parser: 'traceroute', timeoutMs: 15_000, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true, quick: true, besideOthers: true });
}
