// One read for every kernel knob LVS-NAT depends on. `sysctl -e` ignores a missing key
// (a module not loaded, an interface gone) so the rest still answers; `net.ipv4.vs` names
// a directory, which sysctl lists whole.
import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';
import { interfaceName, sysctlName } from './validate.js';

const PER_INTERFACE = ['send_redirects', 'rp_filter', 'accept_redirects'] as const;

/** sysctl's dotted form writes a '.' inside an interface name (eth0.100) as '/'. */
function confKey(dev: string, knob: string): string {
  return `net.ipv4.conf.${dev.replace(/\./g, '/')}.${knob}`;
}

export function sysctlKeys(devices: readonly string[]): string[] {
  const devs = ['all', 'default', ...devices.map(interfaceName)];
  const keys = ['net.ipv4.ip_forward', ...devs.flatMap((d) => PER_INTERFACE.map((k) => confKey(d, k))), 'net.ipv4.vs'];
  return [...new Set(keys)].map(sysctlName);
}

export function sysctlProbe(devices: readonly string[] = []): ProbeCommand {
  return defineProbe({ argv: ['sysctl', '-e', ...sysctlKeys(devices)], parser: 'sysctl', timeoutMs: SHORT_MS, needsRoot: false, acceptNonZeroExit: true, linuxOnly: true });
}
