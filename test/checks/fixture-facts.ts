// Builds a check's facts from real outputs: a file under fixtures/ (parsers/, captures/,
// public/) or a recorded bundle's entry (fixtures/bundles/<scenario>), each read through the
// probe the engine would have run (its catalog entry: the same argv and the same parser). A
// new check is then one file plus one test: name the outputs, evaluate, read the verdict.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CheckDefinition } from '../../src/engine/check-definition.js';
import { evaluateCheck, hostsOfRole } from '../../src/engine/evaluate.js';
import { PROBE_CATALOG, type ProbeName } from '../../src/engine/probe-catalog.js';
import { deriveParams } from '../../src/facts/derive.js';
import { Facts } from '../../src/facts/facts.js';
import type { CheckResult } from '../../src/model/check.js';
import type { HostStatus } from '../../src/model/result.js';
import { allHosts, type Topology } from '../../src/model/topology.js';
import type { ProbeCommand } from '../../src/probes/probe.js';
import { defaultParse } from '../../src/probes/runner.js';
import { uname } from '../../src/probes/uname.js';

/** A catalog probe, or `uname` (the engine asks it of every host). */
export type FactName = ProbeName | 'uname';

export const fixturesDir = join(import.meta.dirname, '../../fixtures');

interface BundleManifest {
  topology: Topology;
  entries: { host: string; argv: string[]; stdoutFile: string; exitCode: number; stderr: string }[];
}

/** A bundle's directory: `scenario` under fixtures/bundles, a path under fixtures/ (`bundles-arp/x`), or an absolute path. */
function bundleDir(scenario: string): string {
  return isAbsolute(scenario) ? scenario : scenario.includes('/') ? join(fixturesDir, scenario) : join(fixturesDir, 'bundles', scenario);
}

function readManifest(scenario: string): BundleManifest {
  return JSON.parse(readFileSync(join(bundleDir(scenario), 'manifest.json'), 'utf8')) as BundleManifest;
}

/** The topology a bundle was recorded with. */
export function bundleTopology(scenario: string): Topology {
  return readManifest(scenario).topology;
}

export class FixtureFacts {
  readonly facts: Facts;

  /** Every host with access is reachable; `off-limits` hosts are not. */
  constructor(readonly topology: Topology) {
    const hosts = new Map<string, HostStatus>(
      allHosts(topology).map((h) => [h.name, { name: h.name, role: h.role, access: h.access, status: h.access === 'none' ? 'off-limits' : 'reachable', probesRun: 0 }]),
    );
    this.facts = new Facts(topology, hosts);
    this.facts.derived = deriveParams(topology, this.facts);
  }

  /** The command the engine runs for `name` on `host` (with `target` for a per-realserver probe). */
  command(host: string, name: FactName, target?: string): ProbeCommand {
    if (name === 'uname') return uname();
    const spec = allHosts(this.topology).find((h) => h.name === host);
    if (!spec) throw new Error(`no host ${host} in the topology`);
    const rs = target === undefined ? undefined : this.topology.realservers.find((r) => r.name === target);
    const probe = PROBE_CATALOG[name].build({ topology: this.topology, host: spec, derived: this.facts.derived, ...(rs ? { target: rs } : {}) });
    if (!probe) throw new Error(`the catalog builds no ${name} probe for ${host}`);
    return probe;
  }

  /** Records `path` (under fixtures/) as the output of probe `name` on `host`, parsed by the probe's parser. */
  async file(host: string, name: FactName, path: string, target?: string): Promise<this> {
    return this.output(host, name, readFileSync(join(fixturesDir, path)), 0, target);
  }

  /** Records what bundle `scenario` (see bundleDir) holds for the same argv on `host`. */
  async fromBundle(scenario: string, host: string, name: FactName, target?: string): Promise<this> {
    const argv = this.command(host, name, target).argv;
    const entry = readManifest(scenario).entries.find((e) => e.host === host && e.argv.join('\u0000') === argv.join('\u0000'));
    if (!entry) throw new Error(`${scenario} has no run of ${argv.join(' ')} on ${host}`);
    const stdout = readFileSync(join(bundleDir(scenario), entry.stdoutFile));
    // As the runner reads a tool that answers only on stderr (ip route get's "RTNETLINK answers: ...").
    return this.output(host, name, stdout.length === 0 && entry.stderr.trim() !== '' ? Buffer.from(entry.stderr) : stdout, entry.exitCode, target);
  }

  /** Every probe `check` declares, from bundle `scenario`, on each host of its role. */
  async checkFromBundle(scenario: string, check: CheckDefinition): Promise<this> {
    for (const need of check.probes) {
      const perRealserver = 'perRealserver' in PROBE_CATALOG[need.probe];
      for (const host of hostsOfRole(this.topology, need.role)) {
        if (this.facts.hosts.get(host)?.status !== 'reachable') continue;
        for (const target of perRealserver ? this.topology.realservers.map((r) => r.name) : [undefined]) {
          await this.fromBundle(scenario, host, need.probe, target);
        }
      }
    }
    return this;
  }

  /** Records `bytes` as the output of probe `name` on `host` (a real output, or one a test edited and says so). */
  async output(host: string, name: FactName, bytes: Uint8Array, exitCode = 0, target?: string): Promise<this> {
    const probe = this.command(host, name, target);
    const parsed = await defaultParse(probe.parser, bytes);
    this.facts.record({ ok: true, host, probe: name, ...(target ? { target } : {}), command: probe.argv.join(' '), parsed, stdout: Buffer.from(bytes).toString('utf8'), exitCode });
    return this;
  }

  /** The check's result as the engine gives it (its required probes, its dependencies' results). */
  evaluate(check: CheckDefinition, deps: CheckResult[] = []): CheckResult {
    return evaluateCheck(check, this.topology, this.facts, new Map(deps.map((d) => [d.id, d])));
  }
}
