// Whether a realserver's kernel holds the connection a test SYN opened, asked while the test
// connection runs (src/facts/wire-decision.ts, HeldReadings): a SYN that reached a realserver
// and drew nothing is silent at once when its kernel keeps no connection of it (it dropped the
// SYN: a firewall, rp_filter), not a second later at the client's retransmission. A SYN-RECV
// there is an answer its firewall ate, sent again by itself a second later: that waits.
import type { HeldQuestion, HeldReadings } from '../facts/wire-decision.js';
import type { SsResult } from '../parsers/ss.js';
import { runProbes } from '../probes/runner.js';
import { holdsConnection, ssConnection } from '../probes/ss.js';
import type { Transport } from '../transport/transport.js';

export class HeldConnections {
  private readonly answers = new Map<string, boolean | null>();
  private readonly asked = new Set<string>();

  /**
   * @param answered called once an answer has come (the wire is read again then)
   * @param askable whether a host may be asked (the engine's say: reachable, and no drop traces in the run)
   */
  constructor(
    private readonly transport: Transport,
    private readonly answered: () => void,
    private readonly askable: (host: string) => boolean,
    private readonly signal?: AbortSignal,
  ) {}

  readonly reading: HeldReadings = (host, cip, cport) => {
    const key = keyOf(host, cip, cport);
    if (this.answers.has(key)) return this.answers.get(key);
    // Being asked, or not to be asked: nothing to decide from.
    return this.asked.has(key) ? null : undefined;
  };

  /** Asks each question once; a host that cannot be asked answers null at once. */
  ask(questions: readonly HeldQuestion[]): void {
    for (const q of questions) {
      const key = keyOf(q.host, q.cip, q.cport);
      if (this.asked.has(key)) continue;
      this.asked.add(key);
      if (!this.askable(q.host) || this.signal?.aborted) {
        this.answers.set(key, null);
        continue;
      }
      void this.read(q).then((held) => {
        this.answers.set(key, held);
        this.answered();
      });
    }
  }

  private async read(q: HeldQuestion): Promise<boolean | null> {
    const tuple = { local: { address: q.rip, port: q.rport }, peer: { address: q.cip, port: q.cport } };
    const [outcome] = await runProbes(this.transport, [{ host: q.host, probe: () => ssConnection(tuple) }], this.signal ? { signal: this.signal } : {});
    // Unreachable, a bad value, a failed or stopped run, output that is not ss's: this reading decides nothing.
    if (!outcome?.ok) return null;
    try {
      return holdsConnection(outcome.parsed as SsResult, tuple);
    } catch {
      return null;
    }
  }
}

const keyOf = (host: string, cip: string, cport: number): string => `${host} ${cip} ${cport}`;
