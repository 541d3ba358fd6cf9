// A recorded lab run (a bundle under fixtures/) as the live engine sees it: each capture in its
// place, the director's one capture split into its sides by interface index, the connections the
// client made, what the realservers asked said, the RIPs the director's ping got no answer
// from, and whether the director refuses the client's ARP. Shared by the tests that replay
// recordings through the wire decision and the hops.
import { decodePcap } from '../../src/pcap/index.js';
import { parseIpAddr } from '../../src/parsers/ip-addr.js';
import { BOTH_SIDES_IFACE, interfaceNames, splitDirectorSides } from '../../src/engine/director-sides.js';
import { readBundle } from '../../src/transport/bundle.js';
import type { LiveCapture } from '../../src/facts/wire-decision.js';
import type { CapturePlace } from '../../src/facts/test-connection-facts.js';
import type { Topology } from '../../src/model/topology.js';
import { holdsConnection } from '../../src/probes/ss.js';
import { parseSs } from '../../src/parsers/ss.js';
import { parsePing } from '../../src/parsers/ping.js';
import { ripsBeingResolved } from '../../src/facts/readers.js';
import { clientArpRefusal, type ClientArpRefusal } from '../../src/facts/client-arp-refusal.js';
import { FixtureFacts } from '../checks/fixture-facts.js';

export interface Recorded {
  topology: Topology;
  captures: (LiveCapture & { iface: string })[];
  connections: number;
  /** What the realservers asked during the live run said (fixtures/bundles-held, bundles-ipvs-held), by `host cip cport`. */
  answers: Map<string, boolean>;
  /** The RIPs the director's recorded ping got no answer from (the engine passes them to the decision and the hops). */
  pingUnanswered: Set<string>;
  /** The director refusing the client's ARP for good, from the recorded readings (the engine passes it to the decision). */
  clientArpRefusal: ClientArpRefusal | null;
  /**
   * The RIPs the director was resolving as the connections went, as FirstRoundWatch.unresolvedRips
   * says once the pings are over (ripsBeingResolved on the recorded readings). While a ping runs
   * the watch counts its RIP too; a recording does not say when each ping ended, so its answer
   * stands for the whole run.
   */
  unresolvedRips: Set<string>;
}

export async function load(dir: string): Promise<Recorded> {
  const bundle = await readBundle(dir);
  const topology = bundle.manifest.topology!;
  const captures: Recorded['captures'] = [];
  for (const e of bundle.manifest.entries) {
    if (e.argv[0] !== 'tcpdump') continue;
    const bytes = bundle.files.get(e.stdoutFile)!;
    if (bytes.length < 24) continue;
    const iface = e.argv[e.argv.indexOf('-i') + 1];
    const d = topology.director;
    if (e.host === d.name && iface === BOTH_SIDES_IFACE) {
      // Both sides in one capture (fixtures/bundles-sides): each packet's side by its interface index.
      const addr = bundle.manifest.entries.find((x) => x.host === d.name && x.argv.join(' ') === 'ip -o addr')!;
      const names = interfaceNames(parseIpAddr(Buffer.from(bundle.files.get(addr.stdoutFile)!).toString('utf8')));
      const sides = splitDirectorSides((await decodePcap(bytes)).packets, names, { ext: d.ext!, int: d.int! });
      captures.push({ host: e.host, iface: d.ext!, place: 'director-ext', packets: sides.ext }, { host: e.host, iface: d.int!, place: 'director-int', packets: sides.int });
      continue;
    }
    const place: CapturePlace =
      e.host === topology.client.name ? 'client' : e.host !== d.name ? 'realserver' : d.ext === d.int ? 'director-one' : iface === d.ext ? 'director-ext' : 'director-int';
    captures.push({ host: e.host, iface, place, packets: (await decodePcap(bytes)).packets });
  }
  const connections = bundle.manifest.entries.filter((e) => e.host === topology.client.name && ['curl', 'bash', 'socat', 'nc'].includes(e.argv[0]) && !e.argv.includes('command')).length;
  const answers = new Map<string, boolean>();
  for (const e of bundle.manifest.entries.filter((x) => x.argv[0] === 'ss' && x.argv[1] === '-tan')) {
    const [local, peer] = [e.argv[3], e.argv[5]].map((x) => x.split(':'));
    const tuple = { local: { address: local[0], port: Number(local[1]) }, peer: { address: peer[0], port: Number(peer[1]) } };
    answers.set(`${e.host} ${peer[0]} ${peer[1]}`, holdsConnection(parseSs(Buffer.from(bundle.files.get(e.stdoutFile)!).toString('utf8')), tuple));
  }
  const pingUnanswered = new Set(bundle.manifest.entries.filter((e) => e.host === topology.director.name && e.argv[0] === 'ping' && parsePing(Buffer.from(bundle.files.get(e.stdoutFile)!).toString('utf8')).received === 0).map((e) => e.argv[e.argv.length - 1]));
  return { topology, captures, connections, answers, pingUnanswered, clientArpRefusal: await recordedRefusal(dir, topology), unresolvedRips: await recordedResolution(dir, topology) };
}

/** clientArpRefusal from the readings it rests on, as the bundle recorded them; null where one was not recorded (a host not probed). */
async function recordedRefusal(dir: string, topology: Topology): Promise<ClientArpRefusal | null> {
  const f = new FixtureFacts(topology);
  const d = topology.director.name;
  try {
    for (const name of ['sysctl', 'route-get-request', 'ip-addr'] as const) await f.fromBundle(dir, d, name);
    await f.fromBundle(dir, topology.client.name, 'route-get-vip');
  } catch {
    return null;
  }
  return clientArpRefusal(f.facts, topology, f.facts.derived.cip, f.facts.derived.ext);
}

/**
 * ripsBeingResolved (what FirstRoundWatch.unresolvedRips says) on the director's recorded
 * readings, once its pings are over: the director's addresses, its neighbour table, and its pings
 * to the RIPs, each where the bundle holds it (older bundles have no table).
 */
async function recordedResolution(dir: string, topology: Topology): Promise<Set<string>> {
  const f = new FixtureFacts(topology);
  const d = topology.director.name;
  const recorded = async (name: 'ip-addr' | 'neigh' | 'ping-rip', target?: string): Promise<boolean> => {
    try {
      await f.fromBundle(dir, d, name, target);
      return true;
    } catch (error) {
      // Not recorded (a bundle from before the probe, or a realserver not pinged); anything else is the test's to see.
      if (/has no run of/.test((error as Error).message)) return false;
      throw error;
    }
  };
  await recorded('ip-addr');
  await recorded('neigh');
  const pinged = new Set<string>();
  for (const rs of topology.realservers) if (await recorded('ping-rip', rs.name)) pinged.add(rs.name);
  return ripsBeingResolved(f.facts, topology, pinged);
}

/** When the last connection sent its first SYN (the decision waits for every connection). */
export function lastSynTime(r: Recorded): number {
  const first = new Map<number, number>();
  for (const p of r.captures.filter((c) => c.place === 'client').flatMap((c) => c.packets)) {
    if (p.tcp?.flags.syn && !p.tcp.flags.ack && p.dst === r.topology.service.vip && !first.has(p.tcp.srcPort!)) first.set(p.tcp.srcPort!, p.time.seconds);
  }
  return Math.max(...first.values());
}
