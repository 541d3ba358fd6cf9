// Routes each host to the transport that reaches it: `local` hosts run here, `ssh` hosts over
// OpenSSH. The engine sees one Transport.
import type { HostSpec } from '../model/topology.js';
import { answersOrThrown, TransportError, type RunOptions, type RunResult, type Transport } from './transport.js';

export class ByHostTransport implements Transport {
  constructor(
    private readonly hosts: readonly HostSpec[],
    private readonly ssh: Transport,
    private readonly local: Transport,
  ) {}

  private pick(host: string): Transport {
    const spec = this.hosts.find((h) => h.name === host);
    if (!spec) throw new TransportError('no-access', host, 'not a host of this topology');
    if (spec.access === 'none') throw new TransportError('no-access', host, 'marked off-limits');
    return spec.access === 'local' ? this.local : this.ssh;
  }

  async prepare(hosts: readonly string[]): Promise<Map<string, TransportError | null>> {
    const remote = hosts.filter((h) => this.hosts.find((s) => s.name === h)?.access === 'ssh');
    const result = new Map<string, TransportError | null>(hosts.map((h) => [h, null]));
    if (remote.length > 0 && this.ssh.prepare) for (const [h, e] of await this.ssh.prepare(remote)) result.set(h, e);
    return result;
  }

  run(host: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
    try {
      return this.pick(host).run(host, argv, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return answersOrThrown(argvs.length, () => this.pick(host).runTogether(host, argvs, options));
  }

  async close(): Promise<void> {
    await Promise.all([this.ssh.close(), this.local.close()]);
  }
}
