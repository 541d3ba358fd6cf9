// How many ssh handshakes a transport lets run at once. Opened all together, a hundred
// handshakes share the doctor's CPUs (OpenSSH 9.2's default key exchange, sntrup761, costs the
// client ~0.1 s of CPU each) and every one of them is slow: on two cores, 40-odd of 101 did not
// finish inside the connect bound and their hosts were reported unreachable. Bounded, each
// handshake finishes in its own share of the CPU and the hosts that connected first are probed
// while the rest connect. The bound also keeps us under sshd's MaxStartups (10 unauthenticated
// connections by default before it starts refusing at random), which matters when every
// connection goes through one jump host. What is negotiated stays the user's ssh config's choice.
import { availableParallelism } from 'node:os';
import { Pool } from './pool.js';

/** sshd's default MaxStartups begins refusing beyond 10 unauthenticated connections. */
const MAX_STARTUPS = 10;

/** Four handshakes per local core (most of a handshake is waiting on the network), at most 10. */
export function defaultHandshakesAtOnce(cores: number = availableParallelism()): number {
  return Math.min(MAX_STARTUPS, Math.max(4, 4 * cores));
}

/** A first-come first-served bound on handshakes in flight. */
export class HandshakeGate {
  private readonly pool: Pool;

  constructor(readonly limit: number = defaultHandshakesAtOnce()) {
    this.pool = new Pool({ global: limit, perHost: limit });
  }

  run<T>(handshake: () => Promise<T>): Promise<T> {
    return this.pool.run('handshakes', handshake);
  }
}
