// The director's IPVS timeouts against the silence before a leaked answer, read through the
// ipvsadm parser from real guest outputs (fixtures/parsers/ipvsadm/ipvs-vm--*timeout*.out: the
// kernel's defaults 900 120 300, and 7200 60 120 after `ipvsadm --set 7200 60 120`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { timeoutVerdict } from '../../checks/leak-timeouts.js';
import { parseIpvsadm, type IpvsadmTimeout } from '../../src/parsers/ipvsadm.js';

const dir = new URL('../../fixtures/parsers/ipvsadm/', import.meta.url).pathname;

function timeouts(file: string): IpvsadmTimeout {
  const r = parseIpvsadm(readFileSync(join(dir, file), 'utf8'));
  if (r.format !== 'ipvsadm-timeout') throw new Error(`${file}: ${r.format}`);
  return r;
}

describe('timeoutVerdict', () => {
  const defaults = timeouts('ipvs-vm--table-ipvsadm-ln-timeout.out');
  const set = timeouts('ipvs-vm--table-ipvsadm-ln-timeout-after-set.out');

  it('says nothing when the timeout is longer than the silence (the entry did not simply expire)', () => {
    expect(timeoutVerdict(defaults, { seconds: 1.2, protocol: 'tcp', afterFin: false })).toBeNull();
    expect(timeoutVerdict(set, { seconds: 59.9, protocol: 'tcp', afterFin: true })).toBeNull();
  });

  it('names the timeout that applies when the silence outlasted it: tcp, tcpfin after a FIN, udp', () => {
    expect(timeoutVerdict(defaults, { seconds: 901, protocol: 'tcp', afterFin: false })).toEqual({
      evidence: "the connection was silent 901.0 s before the realserver answered: longer than the director's tcp timeout of 900 s, so its entry expired",
      advice: "raise the director's tcp timeout above the realservers' longest answer time: ipvsadm --set TCP TCPFIN UDP (now 900 120 300)",
    });
    expect(timeoutVerdict(set, { seconds: 61, protocol: 'tcp', afterFin: true })?.evidence).toContain("tcpfin timeout of 60 s");
    expect(timeoutVerdict(set, { seconds: 121, protocol: 'udp', afterFin: false })?.evidence).toContain("udp timeout of 120 s");
  });
});
