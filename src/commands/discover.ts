// `lvs-doctor discover` and `diagnose --director HOST`: the topology from one director (its
// IPVS table or NAT rules, its addresses, the realservers reached through it), or from a
// keepalived.conf / ldirectord.cf / lvs.conf.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configKindOf, discoverFromConfig, discoverOverSsh, DiscoveryError, inventoryToYaml, parseVipOption, type Discovery } from '../discover/index.js';
import type { Topology } from '../model/topology.js';
import type { CommandIO } from './io.js';
import { OptionError, SSH_TUNING_OPTIONS, sshTuning } from './ssh-options.js';

export interface DiscoverValues {
  director?: string;
  client?: string;
  vip?: string;
  config?: string;
  ssh?: string;
  'ssh-config'?: string;
  user?: string;
  port?: string;
  identity?: string;
  jump?: string;
  sudo?: boolean;
  'accept-new-host-keys'?: boolean;
  'connect-timeout'?: string;
  'keep-connections'?: string;
}

async function discover(values: DiscoverValues): Promise<Discovery> {
  const vip = values.vip ? parseVipOption(values.vip) : {};
  if (values.config) {
    const kind = configKindOf(values.config);
    if (!kind) throw new DiscoveryError(`--config ${values.config}: cannot tell keepalived.conf, ldirectord.cf or lvs.conf apart by its name`);
    return discoverFromConfig(readFileSync(values.config, 'utf8'), kind, { ...vip, ...(values.director ? { director: values.director } : {}), ...(values.user ? { user: values.user } : {}) });
  }
  if (!values.director) throw new DiscoveryError('give --director HOST (or --config FILE)');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new DiscoveryError(`--port ${values.port} is not a port`);
  return discoverOverSsh({
    director: values.director,
    ...vip,
    ...(values.client ? { client: values.client } : {}),
    ...(values.user ? { user: values.user } : {}),
    ...(values.sudo ? { sudo: true } : {}),
    ...(values['ssh-config'] ? { sshConfig: values['ssh-config'] } : {}),
    ...(values.identity ? { identityFile: values.identity } : {}),
    ...(port ? { port } : {}),
    ...(values.jump ? { jump: values.jump } : {}),
    ...(values.ssh ? { sshPath: values.ssh } : {}),
    ...(values['accept-new-host-keys'] ? { acceptNewHostKeys: true } : {}),
    ...sshTuning(values),
  });
}

/** For `diagnose --director HOST`: the notes go to stderr, the topology to the diagnosis. */
export async function discoverForDiagnose(values: DiscoverValues, io: CommandIO): Promise<Topology> {
  const found = await discover(values);
  for (const note of found.notes) io.err(`lvs-doctor: discovery: ${note}\n`);
  return found.topology;
}

export async function discoverCommand(args: string[], io: CommandIO): Promise<number> {
  let values: DiscoverValues;
  try {
    values = parseArgs({
      args,
      strict: true,
      options: {
        director: { type: 'string' }, client: { type: 'string' }, vip: { type: 'string' }, config: { type: 'string' },
        ssh: { type: 'string' }, 'ssh-config': { type: 'string' }, user: { type: 'string' }, port: { type: 'string' },
        identity: { type: 'string' }, jump: { type: 'string' }, sudo: { type: 'boolean' }, 'accept-new-host-keys': { type: 'boolean' },
        ...SSH_TUNING_OPTIONS,
      },
    }).values;
  } catch (err) {
    io.err(`lvs-doctor discover: ${(err as Error).message}\n`);
    return 64;
  }
  try {
    const found = await discover(values);
    io.out(inventoryToYaml(found.topology, { notes: found.notes, ...(values['ssh-config'] ? { sshConfig: values['ssh-config'] } : {}) }));
    return 0;
  } catch (err) {
    io.err(`lvs-doctor discover: ${(err as Error).message}\n`);
    return err instanceof DiscoveryError ? 65 : err instanceof OptionError ? 64 : 70;
  }
}
