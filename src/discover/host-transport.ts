// The `connect` that discovery uses to try hosts it finds (the client, realserver candidates):
// OpenSSH for access 'ssh', this machine for 'local', routed by ByHostTransport.
import type { HostSpec } from '../model/topology.js';
import { ByHostTransport } from '../transport/by-host.js';
import { createLocalTransport } from '../transport/local.js';
import { createSshTransport } from '../transport/ssh.js';
import type { Transport } from '../transport/transport.js';

export interface HostTransportOptions {
  /** ssh client to run (the lab's wrapper runs it inside the ops namespace). */
  sshPath?: string;
  acceptNewHostKeys?: boolean;
  connectTimeoutSec?: number;
  /** Leave the masters open for the next run (see ssh-reuse.ts). */
  keepConnections?: { dir: string; seconds: number };
}

export function hostTransport(hosts: readonly HostSpec[], opts: HostTransportOptions = {}): Transport {
  const ssh = createSshTransport({ hosts, sshPath: opts.sshPath, acceptNewHostKeys: opts.acceptNewHostKeys, connectTimeoutSec: opts.connectTimeoutSec, keepConnections: opts.keepConnections });
  return new ByHostTransport(hosts, ssh, createLocalTransport({ sudo: true }));
}

/** discoverTopology's `connect` over real ssh (and this machine for access local). */
export function sshConnect(opts: HostTransportOptions = {}): (hosts: HostSpec[]) => Transport {
  return (hosts) => hostTransport(hosts, opts);
}
