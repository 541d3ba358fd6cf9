// The director's two sides from its own addresses and routes: `ext` holds the VIP, `int` is
// the interface through which it reaches the realservers, DIP its address there (the
// realservers' gateway). One-network NAT is simply ext = int.
import type { IpAddrResult } from '../parsers/ip-addr.js';
import type { IpRouteResult } from '../parsers/ip-route.js';
import { inSubnet, parseCidr, sameAddress } from '../util/ip.js';

export interface DirectorSides {
  ext?: string;
  int?: string;
  dip?: string;
  notes: string[];
}

function baseIface(ifname: string): string {
  // `ip -o addr` prints the device; aliases only appear as labels (eth0:110).
  return ifname.split('@')[0];
}

/** Most specific main-table route that contains `address` (connected routes and gateways alike). */
function routeTo(routes: IpRouteResult | null, address: string) {
  if (!routes) return undefined;
  let best: { dev: string | null; via: string | null; src: string | null; prefix: number } | undefined;
  for (const r of routes.routes) {
    if (r.type !== 'unicast' || (r.table !== null && r.table !== 'main')) continue;
    const cidr = r.destination === 'default' ? { address: address.includes(':') ? '::' : '0.0.0.0', prefix: 0 } : parseCidr(r.destination);
    if (!inSubnet(address, cidr.address, cidr.prefix)) continue;
    if (!best || cidr.prefix > best.prefix) best = { dev: r.dev, via: r.via, src: r.src, prefix: cidr.prefix };
  }
  return best;
}

export function directorSides(addrs: IpAddrResult, routes: IpRouteResult | null, vip: string | null, rips: string[]): DirectorSides {
  const notes: string[] = [];
  const out: DirectorSides = { notes };
  const v4or6 = (a: string) => (a.includes(':') ? 'inet6' : 'inet');

  if (vip !== null) {
    const holder = addrs.addresses.find((a) => sameAddress(a.address, vip));
    if (holder) out.ext = baseIface(holder.ifname);
    else notes.push(`the VIP ${vip} is on no director interface (ip -o addr): ext left unset (see director.vip-not-local)`);
  }

  const rip = rips[0];
  if (rip !== undefined) {
    const onLink = addrs.addresses.find((a) => a.family === v4or6(rip) && !sameAddress(a.address, vip) && a.scope !== 'host' && inSubnet(rip, a.address, a.prefix));
    if (onLink) {
      out.int = baseIface(onLink.ifname);
      out.dip = onLink.address;
    } else {
      const route = routeTo(routes, rip);
      if (route?.dev) {
        out.int = route.dev;
        const own = route.src ?? addrs.addresses.find((a) => baseIface(a.ifname) === route.dev && a.family === v4or6(rip) && !sameAddress(a.address, vip))?.address;
        if (own) out.dip = own;
        notes.push(`realserver ${rip} is not on a network of the director: reached ${route.via ? `via ${route.via} ` : ''}on ${route.dev}`);
      } else {
        notes.push(`no director address or route reaches realserver ${rip}: int and dip left unset`);
      }
    }
    for (const other of rips.slice(1)) {
      const dev = addrs.addresses.find((a) => inSubnet(other, a.address, a.prefix))?.ifname ?? routeTo(routes, other)?.dev;
      if (dev && out.int && baseIface(dev) !== out.int) notes.push(`realserver ${other} is reached on ${dev}, not ${out.int} like ${rip}`);
    }
  }
  if (out.ext && out.int && out.ext === out.int) notes.push(`one-network NAT: the VIP and the realservers are both on ${out.ext}`);
  return out;
}
