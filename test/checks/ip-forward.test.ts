// setup.ip-forward over the sysctl outputs the lab recorded (fixtures/bundles): the healthy
// director forwards, the director.ip-forward-off one does not.
import { describe, expect, it } from 'vitest';
import { ipForward } from '../../checks/setup/ip-forward.js';
import { bundleTopology, FixtureFacts } from './fixture-facts.js';

async function judged(scenario: string) {
  const fx = await new FixtureFacts(bundleTopology(scenario)).checkFromBundle(scenario, ipForward);
  return fx.evaluate(ipForward);
}

describe('setup.ip-forward (recorded lab bundles)', () => {
  it('healthy: pass, citing net.ipv4.ip_forward = 1', async () => {
    const r = await judged('healthy');
    expect(r).toMatchObject({ verdict: 'pass' });
    expect(r.evidence[0]!.lines).toEqual(['net.ipv4.ip_forward = 1']);
  });

  it('director.ip-forward-off: fail with the fault on the director and the sysctl -w fix', async () => {
    const r = await judged('director.ip-forward-off');
    expect(r).toMatchObject({ verdict: 'fail', fault: 'director.ip-forward-off', faultHosts: ['director'] });
    expect(r.evidence[0]!.lines).toEqual(['net.ipv4.ip_forward = 0']);
    expect(r.fixes[0]!.commands[0]).toBe('sysctl -w net.ipv4.ip_forward=1');
  });
});
