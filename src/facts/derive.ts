// Values the second round of probes needs, from the inventory when it says, otherwise from
// what the first round read: the client's source address towards the VIP, the director's
// ext (holds the VIP) and int (connected to the realservers) interfaces and its DIP.
import type { Topology } from '../model/topology.js';
import type { DerivedParams, Facts } from './facts.js';
import { sameAddress } from '../util/ip.js';
import { connectedInterface, interfaceOf, routeGet, addresses } from './readers.js';

export function deriveParams(topology: Topology, facts: Facts): DerivedParams {
  const d = topology.director.name;
  const clientRoute = routeGet(facts, topology.client.name, 'route-get-vip');
  const cip = topology.client.cip ?? clientRoute?.src ?? null;
  const ext = topology.director.ext ?? interfaceOf(facts, d, topology.service.vip)?.ifname ?? null;
  const firstRip = topology.realservers[0]?.rip;
  const intAddr = firstRip ? connectedInterface(facts, d, firstRip) : undefined;
  const int = topology.director.int ?? intAddr?.ifname ?? null;
  const dip =
    topology.director.dip ??
    intAddr?.address ??
    (int ? addresses(facts, d)?.find((a) => a.ifname === int && !sameAddress(a.address, topology.service.vip))?.address : undefined) ??
    null;
  return { cip, ext, int, dip };
}
