// The test connection's live decision (src/engine/test-connection.ts runs it): the captures'
// packets as they arrive, the plan's `decide` asked after each, and, while undecided (or decided
// but not complete once every tool has ended), rounds of questions to the captures for their
// counters (a line on each capture's session stdin, which tcpdump answers on SIGUSR1): a round
// that closes says each capture holds every packet it had taken by the question
// (src/facts/wire-decision.ts reads `synced` and `closedAfterEnd`).
import { SYNC_AFTER_MS } from '../facts/wire-decision.js';
import { LivePackets } from '../pcap/live.js';
import type { CountersAnswer, RunningCapture } from '../probes/capture.js';
import type { CapturedConnectionsPlan } from './test-connection.js';

/** The reason a connection's signal carries when the wire, not the run, stopped it. */
export const WIRE_DECIDED = 'decided from the wire';

/** After the wire decided (every capture on each flow's path caught up): room for a late extra (a leak on ext, a redirect). */
export const SETTLE_DECIDED_MS = 200;
/**
 * After the wire decided that every connection went unanswered (WireDecision.silent): room for
 * an answer to the SYN's retransmission only, a round trip after the last capture on its way
 * showed it (a LAN's is well under a millisecond; 50 ms is also what a working connection gets).
 */
export const SETTLE_SILENT_MS = 50;

/**
 * The captures read live and the plan's decision asked after every new packet, every ended
 * connection and every answer from elsewhere: once decided and the tools that end by themselves
 * have, the rest are stopped (`signal`).
 */
export class WireWatch {
  readonly live: LivePackets[];
  /** Resolves once the wire decided (never, if it does not). */
  readonly decided: Promise<void>;
  /**
   * Resolves once the connections are over and the decision is complete (WireDecision.complete:
   * every capture on their paths shows the client's end of each, or a round asked after they
   * ended has closed every capture); never, if not.
   */
  readonly complete: Promise<void>;
  private onComplete: () => void = () => undefined;
  private readonly controller = new AbortController();
  private listening: readonly boolean[] | null = null;
  private ended = 0;
  private isDecided = false;
  private onDecided: () => void = () => undefined;
  /** How long the captures settle once decided: shorter when every connection went unanswered. */
  settleMs = SETTLE_DECIDED_MS;
  private captures: readonly (Pick<RunningCapture, 'askCounters'> | null)[] = [];
  /** Per capture, as LiveCapture.synced: what the last finished round of questions closed. */
  private synced: (number | null)[];
  private round: Round | null = null;
  private rounds = 0;
  /** A capture that could not be asked, or lost packets: no round can close the captures. */
  private roundsOff = false;
  /** A round asked once every connection had ended has closed: the captures hold all the tools put on the wire. */
  private closedAfterEnd = false;

  constructor(private readonly plan: CapturedConnectionsPlan) {
    this.live = plan.captures.map(() => new LivePackets(() => this.check()));
    this.synced = plan.captures.map(() => null);
    this.decided = new Promise<void>((resolve) => (this.onDecided = resolve));
    this.complete = new Promise<void>((resolve) => (this.onComplete = resolve));
  }

  /** Aborted when the wire has decided the connections still running. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** From now on (the connections start), decide; `listening`: which captures count; `captures`: to ask them for their counters. */
  watch(listening: readonly boolean[], captures: readonly (Pick<RunningCapture, 'askCounters'> | null)[]): void {
    this.listening = listening;
    this.captures = captures;
    this.check();
  }

  connectionEnded(): void {
    this.ended++;
    this.check();
  }

  /** A capture's answer to a round's question. */
  counted(i: number, answer: CountersAnswer): void {
    const round = this.round;
    if (!round?.asked || !round.waiting.has(i) || round.counted.has(i)) return;
    // A capture that lost packets cannot show that nothing more came.
    if (answer.lost > 0) return this.stopRounds();
    // Packets still on their way through it when asked: this round closes nothing; the next,
    // started once they have come, may.
    if (answer.pending > 0) {
      this.dropRound();
      return;
    }
    round.counted.set(i, answer.written);
    this.check();
  }

  close(): void {
    this.listening = null;
    this.stopRounds();
    for (const l of this.live) l.end();
  }

  private stopRounds(): void {
    this.roundsOff = true;
    this.dropRound();
  }

  private dropRound(): void {
    if (this.round) clearTimeout(this.round.timer);
    this.round = null;
  }

  /**
   * A round of questions: the packets the doctor has now, and SYNC_AFTER_MS later every
   * listening capture asked for its counters. Once each has delivered as many packets as it
   * counted, those packets are known to hold whatever their host did with them by the question.
   */
  private startRound(listening: readonly boolean[]): void {
    if (this.round || this.roundsOff || this.rounds >= MAX_SYNC_ROUNDS) return;
    const snapshot = this.live.map((l, i) => (listening[i] ? l.packets.length : null));
    // Nothing new since the last round closed (or since the connections began): nothing to
    // close, unless the connections are over and no round has closed since (a tool that put
    // nothing on the wire is shown so by one).
    const over = this.ended >= this.plan.connections;
    if (snapshot.every((n, i) => n === null || n === (this.synced[i] ?? 0)) && !(over && !this.closedAfterEnd)) return;
    this.rounds++;
    const round: Round = { snapshot, waiting: new Set(), counted: new Map(), asked: false, askedAfterEnd: false, timer: setTimeout(() => this.ask(round), SYNC_AFTER_MS) };
    round.timer.unref?.();
    this.round = round;
  }

  private ask(round: Round): void {
    if (this.round !== round) return;
    for (const [i, n] of round.snapshot.entries()) {
      if (n === null) continue;
      if (!this.captures[i]?.askCounters?.()) return this.stopRounds();
      round.waiting.add(i);
    }
    round.asked = true;
    round.askedAfterEnd = this.ended >= this.plan.connections;
    this.check();
  }

  /** Closes the round once every capture asked has delivered what it counted. */
  private advanceRound(): void {
    const round = this.round;
    if (!round?.asked) return;
    for (const i of [...round.waiting]) {
      const counted = round.counted.get(i);
      if (counted !== undefined && this.live[i].packets.length >= counted) round.waiting.delete(i);
    }
    if (round.waiting.size > 0) return;
    this.synced = [...round.snapshot];
    if (round.askedAfterEnd) this.closedAfterEnd = true;
    this.round = null;
  }

  private check(): void {
    if (!this.plan.decide || this.listening === null) return;
    // Past the stop of the connections only their end is still watched for.
    const stopped = this.controller.signal.aborted;
    if (stopped && this.ended < this.plan.connections) return;
    const listening = this.listening;
    this.advanceRound();
    const d = this.plan.decide(this.live.map((l, i) => (listening[i] ? l.packets : null)), this.synced, () => this.check(), this.closedAfterEnd);
    if (!d.decided) {
      if (!stopped) this.startRound(listening);
      return;
    }
    const over = this.ended >= this.plan.connections;
    // Only once every connection is over: a tool still running may yet draw a late answer.
    if (d.complete && over) this.onComplete();
    // Decided, not complete (nothing from the client follows its answer): a round asked now
    // that every tool has ended completes it once it closes, sooner than the settle.
    else if (over) this.startRound(listening);
    if (stopped) return;
    if (!this.isDecided) {
      this.isDecided = true;
      if (d.silent === true) this.settleMs = SETTLE_SILENT_MS;
      this.onDecided();
    }
    // The answered ones' tools are ending by themselves: stopping them could cut a handshake's HTTP short.
    if (this.ended >= d.selfEnding) this.controller.abort(WIRE_DECIDED);
  }
}

interface Round {
  /** Per capture, how many packets the doctor had when the round began (null: not listening). */
  snapshot: (number | null)[];
  /** Asked, not yet caught up with what it counted. */
  waiting: Set<number>;
  counted: Map<number, number>;
  asked: boolean;
  /** Asked once every connection had ended. */
  askedAfterEnd: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/** Rounds of questions per test connection at most (each a signal and a line per capture). */
const MAX_SYNC_ROUNDS = 8;
