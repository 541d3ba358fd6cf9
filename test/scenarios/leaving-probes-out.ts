// A recorded bundle's manifest as this doctor records it now: its captures leave the doctor's
// own Q.1/Q.2 probe packets out (src/probes/capture.ts, withoutProbes). Only the capture
// filter changes; the packets stay as recorded.
import { expect } from 'vitest';
import { captureProbe } from '../../src/probes/capture.js';

export interface ManifestEntry {
  host: string;
  argv: string[];
}

export function recordedLeavingProbesOut(entries: ManifestEntry[]): void {
  for (const e of entries) {
    if (e.argv[0] !== 'tcpdump') continue;
    const c = e.argv.indexOf('-c');
    const filter = e.argv.slice(c + 2);
    const hosts = filter.filter((_, i) => filter[i - 1] === 'host');
    const argv = captureProbe({ host: e.host, iface: e.argv[e.argv.indexOf('-i') + 1], filter: { hosts, icmp: true, withoutProbes: true }, maxPackets: Number(e.argv[c + 1]) }).argv;
    // Only the filter differs from what was recorded.
    expect(argv.slice(0, c + 2)).toEqual(e.argv.slice(0, c + 2));
    expect(argv).not.toEqual(e.argv);
    e.argv = argv;
  }
}
