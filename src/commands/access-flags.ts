// The host and access flags (--director, --client, --vip, --user, --port, --identity, --jump,
// --sudo, --ssh-config, --off-limits): checked with the inventory's own rules before any process
// starts, and, with an inventory, applied on top of it (the command line wins; see README).
import { echoValue, decimalInRange, isFilePath, isHostName, isSshHost, isSshJump, isSshUser, PORT_MAX } from '../util/names.js';
import { isIP, normalizeIp } from '../util/ip.js';
import type { SshTarget, Topology } from '../model/topology.js';
import { OptionError } from './ssh-options.js';

export interface AccessFlagValues {
  director?: string;
  client?: string;
  vip?: string;
  user?: string;
  port?: string;
  identity?: string;
  jump?: string;
  sudo?: boolean;
  'ssh-config'?: string;
  'off-limits'?: string;
}

/** What the command line says about reaching every host by ssh. */
export interface AccessOverrides {
  user?: string;
  port?: number;
  identityFile?: string;
  jump?: string;
  sudo?: true;
  sshConfig?: string;
}

function check(flag: string, value: string | undefined, valid: (v: string) => boolean, what: string): void {
  if (value !== undefined && !valid(value)) throw new OptionError(`--${flag} '${echoValue(value)}' is not ${what}`);
}

/** `--vip VIP[:PORT]` ("10.0.0.10", "10.0.0.10:80", "[2001:db8::10]:443"); throws OptionError. */
export function parseVipFlag(text: string): { vip: string; vport?: number } {
  let vip = text;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/s.exec(text);
  if (bracketed) [, vip, port] = bracketed;
  else if (!isIP(text) && text.includes(':')) [vip, port] = [text.slice(0, text.lastIndexOf(':')), text.slice(text.lastIndexOf(':') + 1)];
  if (!isIP(vip)) throw new OptionError(`--vip '${echoValue(text)}' is not VIP or VIP:PORT (an IPv4 or IPv6 address; [IPv6]:PORT)`);
  if (port === undefined) return { vip: normalizeIp(vip) };
  const vport = decimalInRange(port, 1, PORT_MAX);
  if (vport === undefined) throw new OptionError(`--vip '${echoValue(text)}': '${echoValue(port)}' is not a port (1-${PORT_MAX})`);
  return { vip: normalizeIp(vip), vport };
}

/** Every host and access flag, checked; throws OptionError naming the flag. */
export function checkAccessFlags(values: AccessFlagValues): AccessOverrides {
  check('director', values.director, isSshHost, 'an ssh host name or address');
  check('client', values.client, isSshHost, 'an ssh host name or address');
  if (values.vip !== undefined) parseVipFlag(values.vip);
  check('user', values.user, isSshUser, 'a user name');
  check('identity', values.identity, isFilePath, 'a file path');
  check('ssh-config', values['ssh-config'], isFilePath, 'a file path');
  check('jump', values.jump, isSshJump, 'a ProxyJump spec ([user@]host[:port][,...])');
  for (const name of offLimitsNames(values)) check('off-limits', name, isHostName, 'a host name (rs1,rs2)');
  let port: number | undefined;
  if (values.port !== undefined) {
    port = decimalInRange(values.port, 1, PORT_MAX);
    if (port === undefined) throw new OptionError(`--port '${echoValue(values.port)}' is not a port (1-${PORT_MAX})`);
  }
  return {
    ...(values.user !== undefined ? { user: values.user } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.identity !== undefined ? { identityFile: values.identity } : {}),
    ...(values.jump !== undefined ? { jump: values.jump } : {}),
    ...(values.sudo ? { sudo: true as const } : {}),
    ...(values['ssh-config'] !== undefined ? { sshConfig: values['ssh-config'] } : {}),
  };
}

export function offLimitsNames(values: AccessFlagValues): string[] {
  return (values['off-limits'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function overrideTarget(ssh: SshTarget, o: AccessOverrides): SshTarget {
  return {
    ...ssh,
    ...(o.user !== undefined ? { user: o.user } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.identityFile !== undefined ? { identityFile: o.identityFile } : {}),
    ...(o.sshConfig !== undefined ? { configFile: o.sshConfig } : {}),
    ...(o.sudo ? { sudo: true } : {}),
    // The bastion comes first: a realserver behind `jump: lvs1` is then reached bastion -> lvs1 -> rs.
    ...(o.jump !== undefined ? { jump: ssh.jump ? `${o.jump},${ssh.jump}` : o.jump } : {}),
  };
}

/**
 * The inventory's topology with the command line on top, for every host reached by ssh:
 * --user, --port, --identity, --ssh-config and --sudo replace the host's own value, --jump is
 * put in front of the host's own jump. Hosts with access local or none are left as they are.
 */
export function applyAccessOverrides(topology: Topology, o: AccessOverrides): Topology {
  if (Object.keys(o).length === 0) return topology;
  const host = <H extends { ssh?: SshTarget; access: string }>(h: H): H => (h.access === 'ssh' && h.ssh ? { ...h, ssh: overrideTarget(h.ssh, o) } : h);
  return { ...topology, director: host(topology.director), client: host(topology.client), realservers: topology.realservers.map(host) };
}
