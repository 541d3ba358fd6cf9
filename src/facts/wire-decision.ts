// When the test connection has said all it will say, read from the packets captured so far:
// the engine ends the connections and the captures then instead of waiting the client's
// connect timeout. Only positive evidence decides a connection (a flow), each seen at the client:
//   answered    the handshake completed, or a RST / ICMP error came back through the director
//               (or from it): the client's tool ends by itself;
//   bypassed    a reply came from a realserver's own address (it never crossed the director):
//               the client's tool waits its whole timeout for an answer that cannot come;
//   silent      the SYN reached ext and was not forwarded, and the director's and the client's
//               captures, asked for their counters (tcpdump's, through the session's stdin)
//               SYNC_AFTER_MS after the doctor had the SYN from them, held nothing of the flow
//               coming back by then, nor an ARP request of the director's for a realserver
//               unanswered and not yet asked again: the director forwards or answers a SYN in
//               the same pass of its kernel that its capture took the SYN in (microseconds), or
//               asks ARP first. A RIP asked twice with no reply, or asked after the director's
//               own ping to it went unanswered, did not answer for a second: the SYN behind that
//               ARP is not going anywhere (src/facts/rip-arp.ts).
//               A SYN that reached a realserver, likewise closed on every capture of its way,
//               nothing of it coming back, and the realserver asked (`ss`, after that) holds no
//               connection of it: its kernel dropped the SYN and sends nothing later. A SYN-RECV
//               there means it answered into its own firewall, and sends that answer again
//               a second later (the netns lab's director.untranslated-leak does).
//               Otherwise (hosts that cannot be asked: a replay), the client sent its SYN again
//               (a second without any answer), every capture on the way shows that
//               retransmission too, and the director is not resolving a realserver that may
//               still answer: what the path does with the SYN is on the wire by then (the
//               retransmission is treated as the first SYN was), and the client's tool would
//               only wait out its timeout. Silence alone, before the retransmission, decides
//               nothing. The director's ARP for a RIP that it asked again with no reply decides
//               as silence does: the ICMP host unreachable that reports it comes only when the
//               kernel gives up, 3 s after the first request (the recorded real-IPVS run of
//               realserver.unreachable: after curl had given up).
// A client that sent no SYN at all (no route to the VIP) is decided once a round of questions
// asked after every tool had ended has closed its capture: nothing more can come. One still
// resolving the director by ARP, which the director refuses for good (strict rp_filter), is
// decided at the director's first refusal: no SYN leaves it before its ARP gives up, three
// seconds later (src/facts/client-arp-refusal.ts). Such a round
// also completes a decision (WireDecision.complete): the captures end without a settle.
// And only once every other capture on the flow's path shows its part of what the client saw
// (the SYN on ext, the rewritten SYN on int and the realserver, the realserver's reply leaving
// it): captures reach the doctor at different speeds, and a hop judged before its capture
// caught up would be judged missing.
import type { Packet } from '../model/packet.js';
import type { Topology } from '../model/topology.js';
import { ripArpUndecided, ripArpUnseen } from './rip-arp.js';
import { clientHeldByArp, type ClientArpRefusal } from './client-arp-refusal.js';
import type { CapturePlace } from './test-connection-facts.js';

export interface LiveCapture {
  host: string;
  place: CapturePlace;
  packets: readonly Packet[];
  /**
   * How many of its first packets the doctor had at least SYNC_AFTER_MS before it asked this
   * capture for its counters, once every packet the counters count has come: whatever those
   * packets drew on this host is among `packets`. Absent: not asked, or not answered yet.
   */
  synced?: number;
}

/**
 * How long after the doctor had a capture's packets it asks for the counters that close them
 * (see `synced`): room for a host still in the pass of its kernel that took a packet, with a
 * LAN's round trip to spare for an answer from the next host.
 */
export const SYNC_AFTER_MS = 50;

export type FlowVerdict = 'answered' | 'bypassed' | 'silent';

/** A realserver to ask whether its kernel holds a connection of the flow (see HeldReadings). */
export interface HeldQuestion {
  host: string;
  /** The realserver's side: the rewritten SYN's destination. */
  rip: string;
  rport: number;
  cip: string;
  cport: number;
}

/**
 * What the realservers said, asked once the wire had closed their capture past the flow's SYN:
 * true, a socket of the flow that may still send (SYN-RECV...); false, none; null, no answer
 * (it decides nothing); undefined, not asked yet.
 */
export type HeldReadings = (host: string, cip: string, cport: number) => boolean | null | undefined;

export interface FlowDecision {
  cip: string;
  cport: number;
  /** null: not decided yet. */
  verdict: FlowVerdict | null;
}

export interface WireDecision {
  /** Every one of the expected connections is on the client's capture and decided. */
  decided: boolean;
  flows: FlowDecision[];
  /** How many of the client's tools end by themselves (answered flows): wait for those before stopping the rest. */
  selfEnding: number;
  /**
   * Decided, and every capture on each flow's path (the director's, the chosen realserver's,
   * the client's) shows the client's own end of the flow (its FIN or RST, sent once it had an
   * answer): each has caught up with everything the flow put on it before, so letting them
   * settle would add nothing. Where the client sends nothing more (a RST or an ICMP error
   * answered it), a round of questions asked once every tool had ended, closed on every
   * capture (`closedAfterEnd`), shows the same: each holds what its host did by then, and
   * nothing of a connection that is over comes later. Otherwise false: the captures settle.
   */
  complete: boolean;
  /**
   * Decided, and every flow silent: each SYN's retransmission, a second after it, is on every
   * capture of its way, so whatever the first SYN drew has long landed; only an answer to the
   * retransmission itself could still come, a round trip after it reached the realserver or
   * the director. The captures settle for that, not for the late extras an answer can draw.
   */
  silent: boolean;
  /** Realservers to ask whether they hold a connection of a flow that reached them and drew nothing (HeldReadings). */
  questions: HeldQuestion[];
}

const isSyn = (p: Packet): boolean => p.tcp !== null && p.tcp.flags.syn && !p.tcp.flags.ack;

/** What the run knows beside the packets. */
export interface WireContext {
  /** What the realservers asked said (see HeldReadings). */
  held?: HeldReadings;
  /**
   * Every connection's tool has ended, and a round of questions asked after that has closed
   * every listening capture: each holds all the tools put on the wire, and what the path did
   * with it. A client's capture that shows no SYN of the service then says that none was sent
   * (no route, a local firewall): nothing can come. A decision it finds is complete: the
   * captures need not settle.
   */
  closedAfterEnd?: boolean;
  /** The RIPs the director's own ping got no answer from (src/facts/rip-arp.ts). */
  pingUnanswered?: ReadonlySet<string>;
  /**
   * The RIPs the director was still resolving when the connections went (FirstRoundWatch.unresolvedRips):
   * a SYN not forwarded is silent only once the director's request for each is on int (ripArpUnseen).
   */
  unresolvedRips?: ReadonlySet<string>;
  /**
   * The director refuses the client's ARP for good (src/facts/client-arp-refusal.ts): a client
   * still resolving it sends no SYN until its ARP gives up.
   */
  clientArpRefusal?: ClientArpRefusal | null;
}

/**
 * Decides the test connection from the packets so far; `expected` is how many connections the
 * client makes.
 */
export function decideFromWire(topology: Topology, captures: readonly LiveCapture[], expected: number, context: WireContext = {}): WireDecision {
  const { held = () => undefined, closedAfterEnd = false, pingUnanswered = new Set<string>(), unresolvedRips = new Set<string>(), clientArpRefusal = null } = context;
  const { vip, vport } = topology.service;
  const client = captures.filter((c) => c.place === 'client');
  const flows = new Map<string, { cip: string; cport: number }>();
  for (const cap of client) {
    for (const p of cap.packets) {
      if (p.tcp && isSyn(p) && p.src && p.dst === vip && p.tcp.dstPort === vport && typeof p.tcp.srcPort === 'number') {
        const key = `${p.src}:${p.tcp.srcPort}`;
        if (!flows.has(key)) flows.set(key, { cip: p.src, cport: p.tcp.srcPort });
      }
    }
  }
  if (closedAfterEnd && flows.size === 0 && client.length > 0) return { decided: true, flows: [], selfEnding: 0, complete: true, silent: false, questions: [] };
  // No SYN can leave the client before its ARP gives up: nothing of the connections will come.
  if (flows.size === 0 && client.length > 0 && clientArpRefusal && clientHeldByArp(topology, captures, clientArpRefusal)) return { decided: true, flows: [], selfEnding: 0, complete: closedAfterEnd, silent: true, questions: [] };
  const questions: HeldQuestion[] = [];
  const decisions = [...flows.values()].map((f) => ({ ...f, verdict: decideFlow(topology, captures, f.cip, f.cport, held, (q) => questions.push(q), { pingUnanswered, unresolvedRips }) }));
  const decided = client.length > 0 && decisions.length >= expected && decisions.every((d) => d.verdict !== null);
  const complete = decided && (closedAfterEnd || decisions.every((d) => pathShowsClientEnd(topology, captures, d.cip, d.cport)));
  const silent = decided && decisions.every((d) => d.verdict === 'silent');
  return { decided, flows: decisions, selfEnding: decisions.filter((d) => d.verdict === 'answered').length, complete, silent, questions };
}

/**
 * The client's FIN or RST of the flow on every capture of its path. The client sends it after
 * its answer, so each capture that shows it, in the order tcpdump took its packets in, holds
 * whatever of the flow passed there before (the answer, its rewritten copy, a redirect the
 * director sent to the realserver ahead of that reply, a reply leaking out ext).
 */
function pathShowsClientEnd(topology: Topology, captures: readonly LiveCapture[], cip: string, cport: number): boolean {
  const rips = new Set(topology.realservers.map((r) => r.rip));
  const ends = (p: Packet): boolean => p.tcp !== null && p.src === cip && p.tcp.srcPort === cport && (p.tcp.flags.fin || p.tcp.flags.rst);
  let rip: string | null = null;
  for (const cap of captures) {
    if (cap.place === 'client') continue;
    const fwd = cap.packets.find((p) => isSyn(p) && p.src === cip && p.tcp!.srcPort === cport && p.dst !== null && rips.has(p.dst));
    if (fwd) {
      rip = fwd.dst;
      break;
    }
  }
  // Without the rewritten SYN every realserver's capture could hold the flow: they settle.
  const chosen = rip === null ? null : topology.realservers.find((r) => r.rip === rip)!;
  if (chosen === null) return false;
  const onPath = captures.filter((c) => c.place !== 'realserver' || c.host === chosen.name);
  return onPath.every((c) => c.packets.some(ends));
}

function decideFlow(
  topology: Topology,
  captures: readonly LiveCapture[],
  cip: string,
  cport: number,
  held: HeldReadings,
  ask: (q: HeldQuestion) => void,
  { pingUnanswered, unresolvedRips }: { pingUnanswered: ReadonlySet<string>; unresolvedRips: ReadonlySet<string> },
): FlowVerdict | null {
  const { vip, vport } = topology.service;
  const rips = new Set(topology.realservers.map((r) => r.rip));
  const inFlow = (p: Packet): boolean => {
    if (p.tcp) return (p.src === cip && p.tcp.srcPort === cport) || (p.dst === cip && p.tcp.dstPort === cport);
    const e = p.icmp?.embedded;
    return e?.protocol === 'tcp' && e.src === cip && e.srcPort === cport;
  };
  const synIn = (p: Packet): boolean => isSyn(p) && p.src === cip && p.tcp!.srcPort === cport && p.dst === vip && p.tcp!.dstPort === vport;
  const toClient = (p: Packet): boolean => p.dst === cip && inFlow(p) && !(p.icmp && p.icmp.kind.startsWith('redirect'));
  // The client's side: what came back, and whether it gave up waiting once already.
  const clientCaps = captures.filter((c) => c.place === 'client');
  const atClient = clientCaps.flatMap((c) => c.packets);
  const answers = atClient.filter(toClient);
  const answeredByVip = answers.some((p) => p.src === vip);
  const answeredByRip = answers.some((p) => p.src !== null && rips.has(p.src) && p.tcp !== null);
  const answeredOther = answers.some((p) => p.icmp !== null && p.src !== vip && !(p.src !== null && rips.has(p.src)));

  // The path: which realserver the SYN went to (its rewritten copy), and the captures on the way.
  const ext = captures.filter((c) => c.place === 'director-ext' || c.place === 'director-one');
  const int = captures.filter((c) => c.place === 'director-int' || c.place === 'director-one');
  let rip: string | null = null;
  for (const cap of captures) {
    if (cap.place === 'client') continue;
    const fwd = cap.packets.find((p) => isSyn(p) && p.src === cip && p.tcp!.srcPort === cport && p.dst !== vip && p.dst !== null && rips.has(p.dst));
    if (fwd) {
      rip = fwd.dst;
      break;
    }
  }
  const chosen = rip === null ? null : (topology.realservers.find((r) => r.rip === rip) ?? null);
  const rsCaps = chosen ? captures.filter((c) => c.place === 'realserver' && c.host === chosen.name) : [];
  const everyShows = (caps: readonly LiveCapture[], pred: (p: Packet) => boolean): boolean => caps.every((c) => c.packets.some(pred));
  const synFwd = (p: Packet): boolean => isSyn(p) && p.src === cip && p.tcp!.srcPort === cport && p.dst === rip;
  const replyFromRip = (p: Packet): boolean => p.src === rip && toClient(p);
  const replyFromVip = (p: Packet): boolean => p.src === vip && toClient(p);

  // Every capture on the way has reached the SYN (and its rewritten copy, when there is one).
  const reachedSyn = everyShows(ext, synIn) && (rip === null || (everyShows(int, synFwd) && everyShows(rsCaps, synFwd)));
  if (!reachedSyn) return null;
  if (answeredByRip) {
    // The reply left the realserver and reached the client without the director: its capture shows it leave.
    return rip !== null && everyShows(rsCaps, replyFromRip) ? 'bypassed' : null;
  }
  if (answeredByVip) {
    // Through the director: the realserver's reply on it, on int and rewritten on ext; or the director's own answer on ext.
    const caughtUp = rip !== null ? everyShows(rsCaps, replyFromRip) && everyShows(int, replyFromRip) && everyShows(ext, replyFromVip) : everyShows(ext, replyFromVip);
    return caughtUp ? 'answered' : null;
  }
  // An ICMP error from elsewhere (the director's own address, a router): it passed ext on its way out.
  if (answeredOther) return everyShows(ext, (p) => toClient(p) && p.icmp !== null) ? 'answered' : null;
  if (answers.length > 0) return null;
  // Nothing came back, the director forwarded nothing, and its captures and the client's held
  // all they would by the time they were asked. A SYN that reached a realserver, likewise, once
  // the realserver says its kernel holds no connection of it: otherwise it may have answered
  // into its own firewall and send that answer again a second later (the netns lab's
  // director.untranslated-leak does so), which only the retransmission shows.
  const known = (c: LiveCapture, pred: (p: Packet) => boolean): boolean => c.synced !== undefined && c.packets.slice(0, c.synced).some(pred);
  const comingBack = (p: Packet): boolean => inFlow(p) && !(p.tcp !== null && p.src === cip);
  const clientAndExtPast = clientCaps.every((c) => known(c, synIn)) && ext.every((c) => known(c, synIn));
  const askedPast = rip === null && int.length > 0 && clientAndExtPast && int.every((c) => c.synced !== undefined);
  const arpUndecided = int.some((c) => ripArpUndecided(c.packets, rips, topology.director.dip, pingUnanswered));
  // A resolution whose requests all went before the capture may hold the SYN: its next request decides.
  const arpUnseen = int.some((c) => ripArpUnseen(c.packets, unresolvedRips, topology.director.dip));
  if (askedPast && ![...clientCaps, ...ext, ...int].some((c) => c.packets.some(comingBack)) && !arpUndecided && !arpUnseen) return 'silent';
  const rport = rsCaps.flatMap((c) => c.packets).find(synFwd)?.tcp?.dstPort;
  const reachedPast = chosen !== null && typeof rport === 'number' && rsCaps.length > 0 && int.length > 0 && clientAndExtPast && int.every((c) => known(c, synFwd)) && rsCaps.every((c) => known(c, synFwd));
  if (reachedPast && ![...clientCaps, ...ext, ...int, ...rsCaps].some((c) => c.packets.some(comingBack))) {
    const holds = held(chosen.name, cip, cport);
    if (holds === false) return 'silent';
    if (holds === undefined) ask({ host: chosen.name, rip: chosen.rip, rport, cip, cport });
  }
  // Otherwise silent once the retransmission is everywhere the first SYN was.
  const twice = (pred: (p: Packet) => boolean) => (c: LiveCapture): boolean => c.packets.filter(pred).length >= 2;
  if (!clientCaps.some(twice(synIn))) return null;
  if (!ext.every(twice(synIn))) return null;
  if (rip !== null) return int.every(twice(synFwd)) && rsCaps.every(twice(synFwd)) ? 'silent' : null;
  // Not forwarded: only the director's int capture can show that it is still resolving a RIP.
  if (int.length === 0 || arpUndecided) return null;
  return 'silent';
}
