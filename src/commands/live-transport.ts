// The transport of a live `diagnose`: ssh hosts over OpenSSH, local hosts here, and --record
// around both. Its own module, imported only when a run reaches hosts: the ssh transport is the
// execa import, ~140 modules that a replay or a demo never needs (BENCHMARKS.md, start-up).
import type { Topology } from '../model/topology.js';
import { BundleDirError, prepareBundleDir } from '../transport/bundle-files.js';
import { ByHostTransport } from '../transport/by-host.js';
import { createLocalTransport } from '../transport/local.js';
import { RecordingTransport } from '../transport/record.js';
import { createSshTransport } from '../transport/ssh.js';
import type { Transport } from '../transport/transport.js';
import { governHeap } from '../util/heap-governor.js';
import type { CommandIO } from './io.js';
import type { SshTuning } from './ssh-options.js';

export interface LiveTransportFlags {
  ssh?: string;
  'accept-new-host-keys'?: boolean;
  record?: string;
  redact?: boolean;
  'off-limits'?: string;
}

/** The transport, or the exit code when --record's directory is refused (before any connection). */
export async function liveTransport(topology: Topology, values: LiveTransportFlags, tuning: SshTuning, io: CommandIO): Promise<Transport | number> {
  const hosts = [topology.director, topology.client, ...topology.realservers];
  // Only a run of many hosts grows the heap enough for the governor to act (heap-governor.ts).
  governHeap();
  const ssh = createSshTransport({
    hosts,
    ...(values.ssh ? { sshPath: values.ssh } : {}),
    ...(values['accept-new-host-keys'] ? { acceptNewHostKeys: true } : {}),
    ...tuning,
  });
  const transport = new ByHostTransport(hosts, ssh, createLocalTransport({ sudo: true }));
  if (!values.record) return transport;
  try {
    // Refused before any connection: nothing is recorded into a directory we do not own.
    await prepareBundleDir(values.record);
  } catch (err) {
    if (!(err instanceof BundleDirError)) throw err;
    io.err(`lvs-doctor: --record: ${err.message}\n`);
    return 64;
  }
  return new RecordingTransport(transport, { dir: values.record, topology, redact: Boolean(values.redact), runOptions: { offLimits: values['off-limits'] ?? '' } });
}
