// One transport for a set of hosts of mixed access: 'local' hosts run here, 'ssh' hosts over
// OpenSSH, 'none' hosts refuse (off-limits). Discovery opens one per candidate host.
import type { HostSpec } from '../model/topology.js';
import { createLocalTransport } from '../transport/local.js';
import { createSshTransport } from '../transport/ssh.js';
import { TransportError, type RunOptions, type RunResult, type Transport } from '../transport/transport.js';

export interface HostTransportOptions {
  /** ssh client to run (the lab's wrapper runs it inside the ops namespace). */
  sshPath?: string;
  acceptNewHostKeys?: boolean;
  connectTimeoutSec?: number;
}

export function hostTransport(hosts: readonly HostSpec[], opts: HostTransportOptions = {}): Transport {
  const access = new Map(hosts.map((h) => [h.name, h.access]));
  const ssh = createSshTransport({ hosts, sshPath: opts.sshPath, acceptNewHostKeys: opts.acceptNewHostKeys, connectTimeoutSec: opts.connectTimeoutSec });
  const local = createLocalTransport({ sudo: true });
  const pick = (host: string): Transport => {
    const a = access.get(host);
    if (a === 'ssh') return ssh;
    if (a === 'local') return local;
    throw new TransportError('no-access', host, a === 'none' ? 'off-limits (access none)' : 'not a host of this topology');
  };
  return {
    run: (host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> => pick(host).run(host, argv, options),
    prepare: (names: readonly string[]) => ssh.prepare(names.filter((n) => access.get(n) === 'ssh')),
    close: async () => {
      await Promise.all([ssh.close(), local.close()]);
    },
  };
}

/** The `connect` of discoverTopology over real ssh (and this machine for access local). */
export function sshConnect(opts: HostTransportOptions = {}): (hosts: HostSpec[]) => Transport {
  return (hosts) => hostTransport(hosts, opts);
}
