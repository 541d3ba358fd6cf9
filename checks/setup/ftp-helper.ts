import type { Check } from '../ids.js';
import { directorTable, kernelModules } from '../../src/facts/readers.js';
import { fault, pass, skip, unknown } from '../lib.js';

// 5.9/5.22: FTP's data connection needs the NAT helper to rewrite PORT/PASV.
export const ftpHelper: Check = {
  id: 'setup.ftp-helper',
  question: 'setup',
  title: 'An FTP service has its NAT helper loaded',
  needs: ['setup.balancer-present'],
  probes: [{ role: 'director', probe: 'modules' }],
  evaluate({ topology, facts }) {
    const d = topology.director.name;
    const table = directorTable(facts, topology);
    if (!table || table.kind === 'none') return unknown('the director table could not be read');
    const ftp = table.services.filter((s) => s.port === 21);
    if (ftp.length === 0) return skip('no service on port 21');
    const mods = kernelModules(facts, d);
    if (!mods) return unknown(`the loaded modules could not be read on ${d}`);
    const needed = table.kind === 'ipvs' ? 'ip_vs_ftp' : 'nf_conntrack_ftp';
    if (mods.has(needed)) return pass(`${needed} is loaded for the FTP service`);
    return fault({ verdict: 'fail', fault: 'director.ftp-helper-missing', hosts: [d], summary: `${ftp.map((s) => `${s.address}:21`).join(', ')} is NATed but ${needed} is not loaded: FTP data connections will fail`, evidence: [facts.evidence(d, 'modules', (l) => /^(ip_vs|nf_conntrack|nf_nat)/.test(l))], fixes: [
      { host: d, commands: [`modprobe ${needed}`], why: 'load the FTP NAT helper' },
    ], certainty: 0.9 });
  },
};
