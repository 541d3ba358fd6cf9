// `--redact`: a bundle that can be shared. Every address, IP and MAC (argv, stdout text,
// stderr, pcap bytes, the manifest's topology) is mapped consistently by one AddressMap; host names become
// role names (director, client, rs1...); ssh targets are dropped. Captures are rewritten in
// place with checksums fixed (see pcap-rewrite.ts), so the pcap decoder sees the mapped
// addresses exactly as the text probes do and a redacted bundle replays to the same verdict.
import { isIP, isIPv6 } from '../util/ip.js';
import type { HostSpec, Topology } from '../model/topology.js';
import { AddressMap } from './address-map.js';
import type { Bundle, BundleEntry } from './bundle.js';
import { stdoutFileName } from './bundle.js';
import { isPcap, rewritePcapAddresses } from './pcap-rewrite.js';

// One pass, one alternation, so that no address is mapped twice: IPv6 with an embedded
// dotted IPv4 tail first, then IPv4 (tcpdump's "10.0.0.1.80" is address + port), then IPv6.
const ADDRESS = new RegExp(
  [
    String.raw`(?<![0-9A-Fa-f:])[0-9A-Fa-f:]*:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d)`,
    String.raw`(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d)`,
    String.raw`(?<![0-9A-Fa-f:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,}(?![0-9A-Fa-f:])`,
  ].join('|'),
  'g',
);
/** ip link's link/ether, ip neigh's lladdr, tcpdump -e: six colon-separated octets, alone. */
const MAC = /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?![0-9A-Fa-f:])/g;
/** /proc/net/ip_vs and ip_vs_conn print IPv4 addresses as 8 upper-case hex digits. */
const PROC_HEX_V4 = /(?<![0-9A-Za-z])[0-9A-F]{8}(?![0-9A-Za-z])/g;

export class Redactor {
  readonly addresses = new AddressMap();
  private names: [RegExp, string][] = [];

  /** Host names (ssh targets, `hostname` outputs, HostSpec names) -> role names. */
  setNames(pairs: ReadonlyMap<string, string>): void {
    this.names = [...pairs]
      .filter(([from, to]) => from !== to && from.length >= 2)
      .sort((a, b) => b[0].length - a[0].length)
      .map(([from, to]) => [new RegExp(`(?<![A-Za-z0-9_-])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`, 'g'), to]);
  }

  text(value: string, options: { procHex?: boolean } = {}): string {
    // MACs first: the IPv6 alternative of ADDRESS would take one whole and leave it as it is.
    let out = value.replace(MAC, (m) => this.addresses.macText(m)).replace(ADDRESS, (m) => {
      if (isIP(m)) return this.addresses.text(m);
      // "2001:db8::2: ICMP6" (tcpdump): the colon after an address is not part of it.
      const core = m.replace(/:+$/, '');
      if (isIPv6(core)) return this.addresses.text(core) + m.slice(core.length);
      // "addr:10.0.0.1" (old ifconfig): only the dotted tail is an address.
      return m.replace(/\d{1,3}(\.\d{1,3}){3}$/, (v4) => this.addresses.text(v4));
    });
    if (options.procHex) {
      out = out.replace(PROC_HEX_V4, (m) => (this.addresses.v4(parseInt(m, 16)) >>> 0).toString(16).toUpperCase().padStart(8, '0'));
    }
    for (const [pattern, to] of this.names) out = out.replace(pattern, to);
    return out;
  }

  bytes(data: Uint8Array, options: { procHex?: boolean } = {}): Uint8Array {
    if (isPcap(data)) return rewritePcapAddresses(data, this.addresses);
    const text = Buffer.from(data).toString('utf8');
    // Neither pcap nor text: nothing a probe produces; dropped rather than leaked.
    if (text.includes('\uFFFD') || text.includes('\0')) return new Uint8Array();
    return new Uint8Array(Buffer.from(this.text(text, options), 'utf8'));
  }
}

/** Role names: director, client, rs1..rsN in topology order. */
export function roleNames(topology: Topology): Map<string, string> {
  const names = new Map<string, string>([[topology.director.name, 'director'], [topology.client.name, 'client']]);
  topology.realservers.forEach((rs, i) => names.set(rs.name, `rs${i + 1}`));
  return names;
}

/** `r` may be passed in to read the mapping afterwards (tests compare through it). */
export function redactBundle(bundle: Bundle, r: Redactor = new Redactor()): Bundle {
  const topology = bundle.manifest.topology;
  const hostRole = topology ? roleNames(topology) : new Map<string, string>();
  const role = (host: string): string => hostRole.get(host) ?? host;

  const names = new Map<string, string>(hostRole);
  if (topology) {
    for (const spec of allSpecs(topology)) {
      const target = spec.ssh?.host;
      if (target) names.set(target, role(spec.name));
    }
  }
  for (const e of bundle.manifest.entries) {
    if (e.argv.length === 1 && e.argv[0] === 'hostname' && !e.transportError) {
      const reported = Buffer.from(bundle.files.get(e.stdoutFile) ?? new Uint8Array()).toString('utf8').trim();
      if (reported) {
        names.set(reported, role(e.host));
        names.set(reported.split('.')[0], role(e.host));
      }
    }
  }
  r.setNames(names);

  // The topology first, so that the VIP's network takes the first documentation block.
  const redactedTopology = topology ? redactTopology(topology, r, role) : null;
  const files = new Map<string, Uint8Array>();
  const entries = [...bundle.manifest.entries]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((e): BundleEntry => {
      const host = role(e.host);
      const stdoutFile = stdoutFileName(e.ordinal, host);
      const procHex = e.argv.some((a) => /^\/proc\/net\/ip_vs(_conn)?$/.test(a));
      files.set(stdoutFile, r.bytes(bundle.files.get(e.stdoutFile) ?? new Uint8Array(), { procHex }));
      return {
        ...e,
        host,
        argv: e.argv.map((a) => r.text(a)),
        stdoutFile,
        stderr: r.text(e.stderr),
        ...(e.transportError ? { transportError: { kind: e.transportError.kind, message: r.text(e.transportError.message) } } : {}),
      };
    });

  const options = Object.fromEntries(Object.entries(bundle.manifest.options).map(([k, v]) => [k, typeof v === 'string' ? r.text(v) : v]));
  return {
    manifest: {
      ...bundle.manifest,
      topology: redactedTopology,
      options,
      redacted: true,
      entries,
    },
    files,
  };
}

function allSpecs(t: Topology): HostSpec[] {
  return [t.client, t.director, ...t.realservers];
}

/** Same shape, mapped addresses, role names, no ssh targets (they name real machines and keys). */
export function redactTopology(topology: Topology, r: Redactor, role: (name: string) => string): Topology {
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') return key === 'name' ? role(value) : r.text(value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== 'ssh')
          .map(([k, v]) => [k, walk(v, k)]),
      );
    }
    return value;
  };
  return walk(topology) as Topology;
}
