// `lvs-doctor discover` and `diagnose --director HOST`: the topology from one director (its
// IPVS table or NAT rules, its addresses, the realservers reached through it), or from a
// keepalived.conf / ldirectord.cf / lvs.conf.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configKindOf, discoverFromConfig, discoverOverSsh, DiscoveryError, inventoryToYaml, type Discovery } from '../discover/index.js';
import type { Topology } from '../model/topology.js';
import type { CommandIO } from './io.js';
import { OptionError, SSH_TUNING_OPTIONS, sshTuning } from './ssh-options.js';
import { checkAccessFlags, parseVipFlag } from './access-flags.js';
import { EX_DATAERR, EX_OK, EX_SOFTWARE, EX_USAGE, HELP, usageOf, wantsHelp } from './help.js';
import { echoValue } from '../util/names.js';

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
  // Before any process starts: a value ssh would read as an option or a shell would run is refused here.
  const access = checkAccessFlags(values);
  const vip = values.vip ? parseVipFlag(values.vip) : {};
  if (values.config) {
    const kind = configKindOf(values.config);
    if (!kind) throw new DiscoveryError(`--config ${values.config}: cannot tell keepalived.conf, ldirectord.cf or lvs.conf apart by its name`);
    return discoverFromConfig(readFileSync(values.config, 'utf8'), kind, { ...vip, ...(values.director ? { director: values.director } : {}), ...(access.user ? { user: access.user } : {}) });
  }
  if (!values.director) throw new OptionError('give --director HOST (or --config FILE)');
  const tuning = sshTuning(values);
  return discoverOverSsh({
    director: values.director,
    ...vip,
    ...(values.client ? { client: values.client } : {}),
    ...(access.user ? { user: access.user } : {}),
    ...(access.sudo ? { sudo: true } : {}),
    ...(access.sshConfig ? { sshConfig: access.sshConfig } : {}),
    ...(access.identityFile ? { identityFile: access.identityFile } : {}),
    ...(access.port ? { port: access.port } : {}),
    ...(access.jump ? { jump: access.jump } : {}),
    ...(values.ssh ? { sshPath: values.ssh } : {}),
    ...(values['accept-new-host-keys'] ? { acceptNewHostKeys: true } : {}),
    ...tuning,
  });
}

/** For `diagnose --director HOST`: the notes go to stderr, the topology to the diagnosis. */
export async function discoverForDiagnose(values: DiscoverValues, io: CommandIO): Promise<Topology> {
  const found = await discover(values);
  for (const note of found.notes) io.err(`lvs-doctor: discovery: ${note}\n`);
  return found.topology;
}

export async function discoverCommand(args: string[], io: CommandIO): Promise<number> {
  if (wantsHelp(args)) {
    io.out(`${HELP.discover}\n`);
    return EX_OK;
  }
  let values: DiscoverValues;
  try {
    const parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        director: { type: 'string' }, client: { type: 'string' }, vip: { type: 'string' }, config: { type: 'string' },
        ssh: { type: 'string' }, 'ssh-config': { type: 'string' }, user: { type: 'string' }, port: { type: 'string' },
        identity: { type: 'string' }, jump: { type: 'string' }, sudo: { type: 'boolean' }, 'accept-new-host-keys': { type: 'boolean' },
        ...SSH_TUNING_OPTIONS,
      },
    });
    if (parsed.positionals.length > 0) throw new OptionError(`unexpected argument '${echoValue(parsed.positionals[0])}'`);
    values = parsed.values;
    checkAccessFlags(values);
    sshTuning(values);
    if (!values.director && !values.config) throw new OptionError('give --director HOST (or --config FILE)');
  } catch (err) {
    io.err(`lvs-doctor discover: ${(err as Error).message}\n${usageOf('discover')}`);
    return EX_USAGE;
  }
  try {
    const found = await discover(values);
    io.out(inventoryToYaml(found.topology, { notes: found.notes, ...(values['ssh-config'] ? { sshConfig: values['ssh-config'] } : {}) }));
    return EX_OK;
  } catch (err) {
    io.err(`lvs-doctor discover: ${(err as Error).message}\n`);
    return err instanceof DiscoveryError ? EX_DATAERR : err instanceof OptionError ? EX_USAGE : EX_SOFTWARE;
  }
}
