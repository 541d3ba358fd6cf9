// The heart of Q.3/Q.4: arm captures on every director interface, every reachable realserver
// and the client, wait until each tcpdump says it is listening, make the test connections from
// the client to VIP:VPORT, stop the captures, decode them.
import type { HostStatus } from '../model/result.js';
import type { Topology } from '../model/topology.js';
import { decodePcap } from '../pcap/index.js';
import { interfaceIndexesFromIpLink, mapInterfaceIndexes } from '../pcap/index.js';
import { defineProbe } from '../probes/define.js';
import type { ProbeCommand } from '../probes/probe.js';
import { interfaceName, ipAddress, port as validPort } from '../probes/validate.js';
import type { Transport } from '../transport/transport.js';
import { TransportError } from '../transport/transport.js';
import type { Facts } from './facts.js';
import type { DerivedParams } from './probe-catalog.js';
import type { CaptureFacts, CapturePlace, ConnectionAttempt, TestConnectionFacts } from './test-connection-facts.js';

export interface TestConnectionOptions {
  /** Seconds the client waits for each connection (a broken path costs exactly this). */
  connectTimeoutS?: number;
  /** How many parallel connections (round robin spreads them over realservers); default min(#RS, 4). */
  connections?: number;
  /** Packets per capture before tcpdump stops by itself. */
  maxPackets?: number;
}

interface CapturePlan {
  host: string;
  iface: string;
  place: CapturePlace;
  probe: ProbeCommand;
}

/** `tcpdump -w -` bounded by -c and, remotely, by the transport's timeout. */
export function captureProbe(iface: string, filter: string[], maxPackets: number, boundS: number): ProbeCommand {
  const argv = ['tcpdump', '-U', '--immediate-mode', '-n', '-s', '256', '-w', '-', '-c', String(maxPackets), '-i', iface === 'any' ? 'any' : interfaceName(iface), ...filter];
  return defineProbe({ argv, parser: 'pcap', timeoutMs: boundS * 1000, needsRoot: true, acceptNonZeroExit: true, linuxOnly: true });
}

/** BPF from validated addresses only: the flow's endpoints plus ICMP (redirects are DIP->RIP). */
function flowFilter(addresses: string[]): string[] {
  const hosts = [...new Set(addresses.map(ipAddress))];
  const terms = hosts.flatMap((h, i) => (i === 0 ? ['host', h] : ['or', 'host', h]));
  return ['(', ...terms, ')', 'and', '(', 'tcp', 'or', 'icmp', ')'];
}

export function connectProbe(vip: string, vport: number, timeoutS: number): ProbeCommand {
  // curl first; bash's /dev/tcp as the fallback when curl is missing (checked by exit 127).
  const url = `http://${ipAddress(vip).includes(':') ? `[${vip}]` : vip}:${validPort(vport)}/`;
  return defineProbe({
    argv: ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code} %{local_ip}:%{local_port}', '--connect-timeout', String(timeoutS), '--max-time', String(timeoutS + 1), url],
    parser: 'raw',
    timeoutMs: (timeoutS + 3) * 1000,
    needsRoot: false,
    acceptNonZeroExit: true,
  });
}

export function fallbackConnectProbe(vip: string, vport: number, timeoutS: number): ProbeCommand {
  return defineProbe({
    argv: ['timeout', String(timeoutS), 'bash', '-c', `exec 3<>/dev/tcp/${ipAddress(vip)}/${validPort(vport)} && echo connected`],
    parser: 'raw',
    timeoutMs: (timeoutS + 3) * 1000,
    needsRoot: false,
    acceptNonZeroExit: true,
  });
}

export async function runTestConnectionPhase(input: {
  transport: Transport;
  topology: Topology;
  facts: Facts;
  derived: DerivedParams;
  hosts: Map<string, HostStatus>;
  options?: TestConnectionOptions;
}): Promise<TestConnectionFacts> {
  const { transport, topology, derived, hosts } = input;
  const opts = input.options ?? {};
  const timeoutS = opts.connectTimeoutS ?? 2;
  const connections = Math.max(1, opts.connections ?? Math.min(topology.realservers.length, 4));
  const maxPackets = opts.maxPackets ?? 200;
  const boundS = timeoutS * 2 + 6;
  const { vip, vport } = topology.service;
  const cip = derived.cip;
  const ok = (name: string): boolean => hosts.get(name)?.status === 'reachable';
  const client = topology.client.name;
  if (!ok(client)) {
    return { captures: [], attempts: [], error: `the client ${client} cannot be used (${hosts.get(client)?.status}); no test connection was made` };
  }
  const addrs = [vip, ...(cip ? [cip] : []), ...topology.realservers.map((r) => r.rip)];
  const filter = flowFilter(cip ? [cip, vip] : addrs);
  const plans: CapturePlan[] = [];
  const d = topology.director.name;
  if (ok(d)) {
    const oneNet = derived.ext !== null && derived.ext === derived.int;
    if (oneNet) plans.push({ host: d, iface: derived.ext!, place: 'director-one', probe: captureProbe(derived.ext!, flowFilter(addrs), maxPackets, boundS) });
    else {
      if (derived.ext) plans.push({ host: d, iface: derived.ext, place: 'director-ext', probe: captureProbe(derived.ext, flowFilter(addrs), maxPackets, boundS) });
      if (derived.int) plans.push({ host: d, iface: derived.int, place: 'director-int', probe: captureProbe(derived.int, flowFilter(addrs), maxPackets, boundS) });
    }
  }
  for (const rs of topology.realservers.slice(0, 16)) {
    if (ok(rs.name)) plans.push({ host: rs.name, iface: 'any', place: 'realserver', probe: captureProbe('any', flowFilter(addrs), maxPackets, boundS) });
  }
  plans.push({ host: client, iface: 'any', place: 'client', probe: captureProbe('any', filter, maxPackets, boundS) });

  const aborts = plans.map(() => new AbortController());
  const listening = plans.map(() => deferred<void>());
  const running = plans.map((plan, i) =>
    transport
      .run(plan.host, plan.probe.argv, {
        timeoutMs: plan.probe.timeoutMs,
        needsRoot: true,
        signal: aborts[i].signal,
        onStderrLine: (line) => {
          if (/listening on/.test(line)) listening[i].resolve();
        },
      })
      .then(
        (r) => {
          listening[i].resolve();
          return r;
        },
        (err: unknown) => {
          listening[i].resolve();
          throw err;
        },
      ),
  );
  // Every capture armed (or failed) before the first SYN; bounded so a silent tcpdump cannot
  // hang us, but generous: a capture that starts after the SYN would prove a loss that is not.
  await Promise.race([Promise.all(listening.map((l) => l.promise)), sleep(8000)]);

  const attempts: ConnectionAttempt[] = await Promise.all(
    Array.from({ length: connections }, () => connectOnce(transport, client, vip, vport, timeoutS)),
  );
  // Let the last retransmissions and ICMP errors land before stopping.
  await sleep(attempts.every((a) => a.ok) ? 150 : 400);
  for (const a of aborts) a.abort();

  const settled = await Promise.allSettled(running);
  const captures: CaptureFacts[] = [];
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i];
    const s = settled[i];
    const command = plan.probe.argv.join(' ');
    if (s.status === 'rejected') {
      const err = s.reason as Error;
      captures.push({ host: plan.host, iface: plan.iface, place: plan.place, command, packets: null, error: err instanceof TransportError ? `${err.kind}: ${err.message}` : err.message });
      continue;
    }
    const r = s.value;
    if (r.stdout.length < 24) {
      captures.push({ host: plan.host, iface: plan.iface, place: plan.place, command, packets: null, error: firstLine(r.stderr) || `tcpdump wrote no capture (exit ${r.exitCode})` });
      continue;
    }
    try {
      const pcap = await decodePcap(r.stdout);
      let packets = pcap.packets;
      const link = input.facts.outcome(plan.host, 'ip-link');
      if (plan.iface === 'any' && link?.ok) packets = mapInterfaceIndexes(packets, interfaceIndexesFromIpLink(link.stdout));
      captures.push({ host: plan.host, iface: plan.iface, place: plan.place, command, packets });
    } catch (err) {
      captures.push({ host: plan.host, iface: plan.iface, place: plan.place, command, packets: null, error: `capture unreadable: ${(err as Error).message}` });
    }
  }
  return { captures, attempts };
}

async function connectOnce(transport: Transport, client: string, vip: string, vport: number, timeoutS: number): Promise<ConnectionAttempt> {
  const started = performance.now();
  const probe = connectProbe(vip, vport, timeoutS);
  try {
    let r = await transport.run(client, probe.argv, { timeoutMs: probe.timeoutMs });
    let command = probe.argv.join(' ');
    if (r.exitCode === 127) {
      const fb = fallbackConnectProbe(vip, vport, timeoutS);
      r = await transport.run(client, fb.argv, { timeoutMs: fb.timeoutMs });
      command = fb.argv.join(' ');
    }
    const output = `${Buffer.from(r.stdout).toString('utf8').trim()} ${firstLine(r.stderr)}`.trim();
    return { host: client, command, output, exitCode: r.exitCode, ok: r.exitCode === 0, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { host: client, command: probe.argv.join(' '), output: (err as Error).message, exitCode: -1, ok: false, durationMs: Math.round(performance.now() - started) };
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '' && !/listening on|packets? (captured|received|dropped)/.test(l))?.trim() ?? '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
