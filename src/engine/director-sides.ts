// The director's two sides in one capture: `tcpdump -i any` instead of one tcpdump on ext and
// one on int. One ssh channel, login shell, `timeout`, watcher and tcpdump fewer on the
// director (issue 12: a run here is CPU-bound, and each process costs it), one channel fewer
// against the director's sshd MaxSessions, and both sides on one clock. The packets are told
// apart by the SLL2 interface index each carries, named by the director's own `ip -o addr` as
// its parser read it (read in the first round anyway, and ext and int both hold an address on
// an LVS-NAT director: VIP and DIP): the hop analysis still reads an ext capture and an int
// capture.
import type { Packet } from '../model/packet.js';
import type { IpAddrResult } from '../parsers/ip-addr.js';
import { mapInterfaceIndexes } from '../pcap/interfaces.js';

/** The capture's interface, and the word a bundle's director capture holds when it was recorded so. */
export const BOTH_SIDES_IFACE = 'any';

export interface DirectorSides {
  ext: string;
  int: string;
}

/** Each side's packets, named; packets of other interfaces (lo, a third NIC) are on neither. */
export function splitDirectorSides(packets: readonly Packet[], names: ReadonlyMap<number, string>, sides: DirectorSides): { ext: Packet[]; int: Packet[] } {
  const named = mapInterfaceIndexes(packets, names);
  return { ext: named.filter((p) => p.link.interface === sides.ext), int: named.filter((p) => p.link.interface === sides.int) };
}

/** ifindex -> interface name, from the director's parsed `ip -o addr`. */
export function interfaceNames(addresses: IpAddrResult): Map<number, string> {
  return new Map(addresses.addresses.map((a) => [a.ifindex, a.ifname]));
}

/**
 * The side the director's interface indexes do not name, if one (its packets would be on
 * neither side, and its hops judged missing); null when both are named.
 */
export function unnamedSide(names: ReadonlyMap<number, string>, sides: DirectorSides): string | null {
  const all = new Set(names.values());
  return [sides.ext, sides.int].find((side) => !all.has(side)) ?? null;
}

/** Whether a recording captured the director's sides together (a replay must ask for the captures it holds). */
export function recordedBothSides(replay: { recordedWith(word: string, host?: string): boolean }, director: string): boolean {
  return replay.recordedWith(BOTH_SIDES_IFACE, director);
}
