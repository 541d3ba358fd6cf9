// The kernel's own answer to "which way would this packet go": on a realserver
// `ip route get CIP from RIP`; on the director, as if arriving on an interface (`iif`).
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';
import { interfaceName, ipAddress, positiveInt } from './validate.js';

export interface RouteQuery {
  to: string;
  from?: string;
  /** Simulates a packet received on this interface (needs `from`). */
  iif?: string;
  mark?: number;
}

export function ipRouteGet(query: RouteQuery): ProbeCommand {
  const argv = ['ip', 'route', 'get', ipAddress(query.to)];
  if (query.from !== undefined) argv.push('from', ipAddress(query.from));
  if (query.iif !== undefined) {
    if (query.from === undefined) throw new Error('ip route get ... iif needs a source address');
    argv.push('iif', interfaceName(query.iif));
  }
  if (query.mark !== undefined) argv.push('mark', String(positiveInt('fwmark', query.mark, 0xffffffff)));
  // Exit 2 with "Network is unreachable" / "invalid source" is an answer too.
  return defineProbe({ argv, parser: 'ip-route-get', timeoutMs: SHORT_MS, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true });
}
