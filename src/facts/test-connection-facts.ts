// What the test connection produced: the decoded captures at each place and the client's
// connection attempts. The hop analysis (hop-analysis.ts) judges them.
import type { Packet } from '../model/packet.js';
import type { DropTraceFacts } from './drop-match.js';

export type CapturePlace = 'client' | 'director-ext' | 'director-int' | 'director-one' | 'realserver';

export interface CaptureFacts {
  host: string;
  iface: string;
  place: CapturePlace;
  command: string;
  /** null when the capture could not run (off-limits host, missing tcpdump, not root). */
  packets: Packet[] | null;
  error?: string;
  /**
   * Packets tcpdump had taken in but not written when it was stopped (its exit counters:
   * received by filter - captured - dropped by kernel). They are the last ones: a packet
   * absent from such a capture is missing only if a later packet of its flow is there.
   */
  unread?: number;
  /** Packets the kernel dropped because tcpdump fell behind: they can be anywhere in the capture. */
  dropped?: number;
}

export interface ConnectionAttempt {
  host: string;
  command: string;
  /** curl's "%{http_code}" or the connect probe's words. */
  output: string;
  exitCode: number;
  ok: boolean;
  durationMs: number;
}

export interface TestConnectionFacts {
  captures: CaptureFacts[];
  attempts: ConnectionAttempt[];
  /** Set when the test connection could not be made at all (client unreachable...). */
  error?: string;
  /** --trace-drops: what each host's kernel said of the test connection's dropped packets. */
  drops?: DropTraceFacts[];
}
