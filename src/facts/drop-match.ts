// Which of a host's traced drops were the test connection's packets, dropped on that host.
//
// skb:kfree_skb names no addresses and no device, and a tracefs instance sees the whole kernel:
// on a real host every other flow, in the lab every other namespace (the lab's hosts share one
// kernel, and so do other labs). A drop counts only when, on the same CPU (softirq handles one
// packet at a time there):
//   1. net:netif_receive_skb took the same skb in on one of this host's path interfaces, and
//      no device of the kernel took it in since (receives are traced on every device: an skb
//      this host took in and freed quietly, consume_skb being untraced, is reused by the slab
//      for the next packet, maybe another namespace's with the same interface name and ifindex;
//      that namespace's receive is what ends the first packet here);
//   2. it did not leave again meanwhile (net:net_dev_xmit on one of those interfaces): a veth
//      hands the same skb to the next namespace, so a drop after that is the next host's;
//   3. between the receive and the drop, fib:fib_table_lookup routed it with iif = that interface's
//      ifindex on this host, from and to the test connection's addresses in a direction this
//      host receives them (director: CIP -> VIP/RIP, and RIP -> CIP on its inside; realserver:
//      CIP -> its RIP; client: VIP/RIP -> CIP).
// Drops before routing (raw PREROUTING, a bad checksum) have no lookup and are not claimed: the
// match prefers saying nothing to naming another flow's drop.
import type { KfreeSkbTrace, TraceDrop, TraceReceive, TraceRoute } from '../parsers/kfree-skb-trace.js';

export interface DropFlow {
  cip: string;
  vip: string;
  rips: string[];
}

export type DropHost =
  | { role: 'director'; name: string; /** where the realservers' replies come in (int; with one network, the one interface) */ inside: string[] }
  | { role: 'realserver'; name: string; rip: string }
  | { role: 'client'; name: string };

export interface MatchedDrop {
  host: string;
  reason: string;
  location: string;
  /** The interface the packet came in on. */
  dev: string;
  src: string;
  dst: string;
  /** The receive, the route lookup and the drop, as the trace printed them. */
  lines: string[];
}

export interface DropTraceFacts {
  host: string;
  command: string;
  /** traced: the trace ran and was read; unavailable: the host could not trace (kernel, rights), said why. */
  status: 'traced' | 'unavailable';
  message?: string;
  instance?: string | null;
  /** Events the ring lost (a busy host): a drop may be missing. */
  lost?: number;
  /** The trace's output was cut short: its last events are missing. */
  truncated?: boolean;
  drops: MatchedDrop[];
}

export function matchDrops(trace: KfreeSkbTrace, host: DropHost, flow: DropFlow): MatchedDrop[] {
  const ifindex = new Map(trace.interfaces.map((i) => [i.name, i.ifindex]));
  const onPath = pathFilter(trace);
  const open = new Map<number, { receive: TraceReceive; routes: TraceRoute[] }>();
  const matched: MatchedDrop[] = [];
  for (const e of trace.events) {
    if (e.kind === 'receive') open.set(e.cpu, { receive: e, routes: [] });
    else if (e.kind === 'route') open.get(e.cpu)?.routes.push(e);
    else if (e.kind === 'transmit') {
      if (open.get(e.cpu)?.receive.skb === e.skb) open.delete(e.cpu);
    }
    else {
      const packet = open.get(e.cpu);
      if (!packet || packet.receive.skb !== e.skb) continue;
      open.delete(e.cpu);
      if (!onPath(packet.receive.dev)) continue;
      const route = packet.routes.find((r) => r.iif === ifindex.get(packet.receive.dev) && receivedHere(host, packet.receive.dev, r, flow));
      if (route) matched.push(toMatch(host.name, packet.receive, route, e));
    }
  }
  return matched;
}

/** Whether a receive on `dev` may be the test connection's packet on this host. */
function pathFilter(trace: KfreeSkbTrace): (dev: string) => boolean {
  // An older recording: the kernel traced receives on the path's interfaces only.
  if (trace.path === null) return () => true;
  const path = new Set(trace.path.length > 0 ? trace.path : trace.interfaces.map((i) => i.name));
  return (dev) => path.has(dev) && trace.interfaces.some((i) => i.name === dev);
}

function receivedHere(host: DropHost, dev: string, r: TraceRoute, flow: DropFlow): boolean {
  const fromClient = r.src === flow.cip;
  const toClient = r.dst === flow.cip;
  if (host.role === 'realserver') return fromClient && r.dst === host.rip;
  if (host.role === 'client') return toClient && (r.src === flow.vip || flow.rips.includes(r.src));
  if (fromClient) return r.dst === flow.vip || flow.rips.includes(r.dst);
  return toClient && flow.rips.includes(r.src) && (host.inside.length === 0 || host.inside.includes(dev));
}

function toMatch(host: string, receive: TraceReceive, route: TraceRoute, drop: TraceDrop): MatchedDrop {
  return { host, reason: drop.reason, location: drop.location, dev: receive.dev, src: route.src, dst: route.dst, lines: [receive.text, route.text, drop.text] };
}
