// The fix of realserver.rip-missing, filled from evidence: the interface the RIP goes back on is
// the one the director's request to the RIP arrived on (the realserver's own capture), or the one
// already holding an address of the RIP's subnet; the prefix is that of the director's address
// on the RIP's subnet. What no evidence names stays a placeholder, and the why says what was
// missing: lvs-doctor --fix refuses a placeholder.
import { connectedInterface, routeGet } from '../src/facts/readers.js';
import type { Facts } from '../src/facts/facts.js';
import type { Fix } from '../src/model/check.js';
import type { RealserverSpec, Topology } from '../src/model/topology.js';
import { inSubnet, sameAddress } from '../src/util/ip.js';
import { isInterfaceName } from '../src/util/names.js';


/** Where the RIP belongs on the realserver, and how that is known. */
function ripInterface(facts: Facts, rs: RealserverSpec): { dev: string; how: string } | { dev: null; missing: string } {
  const names = new Map((facts.parsed(rs.name, 'ip-addr')?.addresses ?? []).map((a) => [a.ifindex, a.ifname]));
  const arrived = new Set<string>();
  let captured = false;
  for (const cap of facts.testConnection?.captures ?? []) {
    if (cap.host !== rs.name || cap.packets === null) continue;
    captured = true;
    for (const p of cap.packets) {
      if (!sameAddress(p.dst, rs.rip) || (p.link.direction !== null && p.link.direction !== 'in')) continue;
      // A named capture is its interface; `-i any` records an ifindex, named by the host's `ip -o addr`.
      const dev = cap.iface !== 'any' ? cap.iface : p.link.ifindex !== null ? (names.get(p.link.ifindex) ?? null) : null;
      if (dev) arrived.add(dev);
    }
  }
  const plain = [...arrived].filter((d) => isInterfaceName(d));
  if (plain.length === 1 && arrived.size === 1) return { dev: plain[0], how: `the director's request to ${rs.rip} arrived on ${rs.name}'s ${plain[0]} (test connection capture)` };
  const sibling = connectedInterface(facts, rs.name, rs.rip);
  if (sibling && isInterfaceName(sibling.ifname)) return { dev: sibling.ifname, how: `${sibling.ifname} holds ${sibling.address}/${sibling.prefix}, on the RIP's subnet` };
  if (arrived.size > 1) return { dev: null, missing: `the request to ${rs.rip} arrived on several interfaces of ${rs.name} (${[...arrived].join(', ')})` };
  return { dev: null, missing: captured ? `no packet to ${rs.rip} captured on ${rs.name} names an interface, and none of its interfaces holds an address of the RIP's subnet` : `${rs.name} was not captured, and none of its interfaces holds an address of the RIP's subnet` };
}

/** `ip addr add RIP/LEN dev IF`, and the default route through the DIP when the kernel dropped it with the address. */
export function ripMissingFix(topology: Topology, facts: Facts, rs: RealserverSpec): Fix {
  const where = ripInterface(facts, rs);
  const director = connectedInterface(facts, topology.director.name, rs.rip);
  const prefix = director?.prefix ?? 24;
  const commands = [`ip addr add ${rs.rip}/${prefix} dev ${where.dev ?? 'DEV'}`];
  const notes = ['how' in where ? where.how : `the interface is not known: ${where.missing}`];
  if (!director) notes.push(`the prefix /24 is a guess: no address of the director's was read on the RIP's subnet`);
  // Removing an address removes the routes through a gateway on its subnet: the realserver's
  // route back to the client via the DIP went with the RIP. Put it back only when the kernel
  // says there is no route at all (not when another gateway answers: that is reply-route's call).
  const back = routeGet(facts, rs.name, 'route-get-client');
  const dip = facts.derived.dip;
  if (back?.error && /unreachable/i.test(back.error) && dip && director && inSubnet(dip, rs.rip, prefix)) {
    commands.push(`ip route add default via ${dip}`);
    notes.push(`${rs.name} has no route to the client (ip route get: ${back.error}): its default route via the DIP ${dip} went with the address`);
  }
  return { host: rs.name, commands, why: `the realserver must hold its RIP (${notes.join('; ')})` };
}
