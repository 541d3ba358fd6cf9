// The lab end to end: up, round robin through the VIP, every fault's wire symptom and its revert, down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureDuring,
  checkRoundRobin,
  injectFault,
  labDown,
  labExec,
  labFaults,
  labUp,
  revertFault,
  runLabCli,
  type CaptureSpec,
  type LabInfo,
} from '../../src/lab/index.js';
import { labLeftovers } from '../../src/lab/down.js';
import { anyLine, both, labSkipReason, wire } from './helpers.js';

const PREFIX = 'labtest';
const skip = labSkipReason(PREFIX);
if (skip) console.warn(`test/lab/lab.test.ts skipped: ${skip}`);

/** What a host sent in answer to a SYN (SYN+ACK, RST, ICMP error); late FINs of earlier connections do not count.
 * What `from` sent back to this test's connections from `to`: an earlier test's half-open
 * connection may still retransmit its SYN+ACK for half a minute, and is not an answer. */
function answers(lines: string[], from: string, to: string): string[] {
  const esc = (a: string): string => a.replace(/\./g, '\\.');
  const syn = new RegExp(`IP ${esc(to)}\\.(\\d+) > ${esc(from)}\\.\\d+: Flags \\[S\\]`);
  const ports = new Set(lines.map((l) => syn.exec(l)?.[1]).filter((p): p is string => p !== undefined));
  return lines
    .filter((l) => l.includes(`IP ${from}.`) || l.includes(`IP ${from} >`))
    .filter((l) => (/ICMP/.test(l) ? l.includes(` > ${to}:`) : [...ports].some((p) => l.includes(` > ${to}.${p}:`))))
    .filter((l) => /Flags \[(S\.|R)|ICMP/.test(l));
}

describe.skipIf(skip !== null)('lab (prefix labtest)', () => {
  let info: LabInfo;
  let cip: string;
  let vip: string;
  let lanclient: string;
  let dip: string;
  const rip = (name: string): string => info.realservers.find((r) => r.name === name)?.rip ?? '?';
  const ext = (): CaptureSpec => ({ host: 'director', iface: info.ext, filter: 'tcp or icmp' });
  const int = (filter = 'tcp or icmp'): CaptureSpec => ({ host: 'director', iface: info.int, filter });
  const onLan = (host: string, filter = 'tcp or icmp'): CaptureSpec => ({ host, iface: `${PREFIX}-lan`, filter });

  async function connect(from = 'client', seconds = 2): Promise<{ body: string; exitCode: number }> {
    const r = await labExec(PREFIX, from, ['curl', '-s', '--max-time', String(seconds), `http://${vip}:80/`]);
    return { body: r.stdout.trim(), exitCode: r.exitCode };
  }

  async function healthy(): Promise<void> {
    let last = await checkRoundRobin(PREFIX, 3);
    for (let i = 0; i < 4 && !last.ok; i++) {
      await new Promise((r) => setTimeout(r, 500));
      last = await checkRoundRobin(PREFIX, 3);
    }
    expect(last, `health after revert: ${last.reason}`).toMatchObject({ ok: true });
    expect(new Set(last.servedBy)).toEqual(new Set(['rs1', 'rs2', 'rs3']));
  }

  /** Injects, makes one connection while capturing, reverts, checks health; returns the lines per capture. */
  async function withFault(
    id: string,
    specs: CaptureSpec[],
    opts: { target?: string; variant?: string; from?: string; seconds?: number; whileActive?: () => Promise<void> } = {},
  ): Promise<{ lines: string[][]; conn: { body: string; exitCode: number } }> {
    const { result, lines } = await captureDuring(PREFIX, specs, async () => {
      await injectFault(PREFIX, id, { target: opts.target, variant: opts.variant });
      return connect(opts.from, opts.seconds);
    });
    try {
      await opts.whileActive?.();
    } finally {
      await revertFault(PREFIX, id);
    }
    await healthy();
    return { lines, conn: result };
  }

  beforeAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
    info = await labUp({ prefix: PREFIX, realservers: 3 });
    cip = info.cip;
    vip = info.service.vip;
    lanclient = info.lanclient;
    dip = info.dip;
  });

  afterAll(async () => {
    await labDown(PREFIX).catch(() => undefined);
  });

  it('serves VIP:80 round robin over rs1, rs2 and rs3 (rs3 remapped to 8080)', async () => {
    const r = await checkRoundRobin(PREFIX, 6);
    expect(r.ok, `${r.reason} (served: ${r.servedBy.join(', ')})`).toBe(true);
    expect([...new Set(r.servedBy)].sort()).toEqual(['rs1', 'rs2', 'rs3']);
    expect(r.servedBy.slice(0, 3)).toEqual(r.servedBy.slice(3));
    expect(info.realservers.find((x) => x.name === 'rs3')?.rport).toBe(8080);
    const ss = await labExec(PREFIX, 'rs3', ['ss', '-Hltn', 'sport = :8080']);
    expect(ss.stdout).toContain(':8080');
  });

  it('gives every host its own name, sshd and a clean login', async () => {
    const r = await labExec(PREFIX, 'rs2', ['hostname']);
    expect(r.stdout.trim()).toBe('rs2');
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(info.sshWrapper, ['director', 'hostname; ls -A ~ | wc -l'], { encoding: 'utf8' });
    expect(out.split('\n').slice(0, 2)).toEqual(['director', '0']);
  });

  it('writes an inventory with the realservers and the remapped port', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const inv = parse(readFileSync(info.inventory, 'utf8')) as Record<string, unknown>;
    expect(inv).toMatchObject({
      service: { protocol: 'TCP', vip, vport: 80 },
      director: { name: 'director', ext: info.ext, int: info.int, dip },
      client: { name: 'client', cip },
    });
    expect(inv.realservers).toEqual(
      info.realservers.map((r) => ({ name: r.name, ssh: { host: r.name }, rip: r.rip, rport: r.rport })),
    );
    const onenet = parse(readFileSync(info.inventoryOnenet, 'utf8')) as Record<string, unknown>;
    expect(onenet).toMatchObject({ client: { name: 'lanclient', cip: lanclient }, director: { ext: info.int, int: info.int } });
  });

  it('refuses bad input with one line and a non-zero exit', async () => {
    expect(await runLabCli(['up', '--prefix', PREFIX])).toBe(1);
    expect(await runLabCli(['fault', 'director.no-such-thing', '--prefix', PREFIX])).toBe(1);
    expect(await runLabCli(['up', '--prefix', 'waytoolongprefix'])).toBe(64); // a bad prefix is a usage error (issue 16.3)
    expect(await labLeftovers('waytoolongprefix')).toEqual([]);
    expect(await runLabCli(['down', '--prefix', 'nolabhere'])).toBe(1);
    expect(await runLabCli(['fault', '--revert', 'director.no-weight', '--prefix', PREFIX])).toBe(1);
  });

  it('lists every fault with what differs from IPVS', () => {
    const ids = labFaults().map((f) => f.id);
    for (const id of [
      'director.ip-forward-off', 'director.vip-not-local', 'director.no-virtual-service', 'director.no-weight',
      'director.send-redirects', 'director.rp-filter', 'director.firewall-drop', 'director.untranslated-leak',
      'realserver.reply-route', 'realserver.onlink-client', 'realserver.redirect-accepted', 'realserver.no-listener',
      'realserver.firewall-reject', 'realserver.silent-drop', 'realserver.rip-missing', 'realserver.unreachable',
      'client.no-route-to-vip',
    ]) expect(ids).toContain(id);
    for (const f of labFaults()) expect(f.differsFromIpvs.length).toBeGreaterThan(10);
  });

  it('director.ip-forward-off: SYN on ext, never on int', async () => {
    const { lines, conn } = await withFault('director.ip-forward-off', [ext(), int()]);
    expect(conn.exitCode).not.toBe(0);
    expect(both(lines[0], wire('IP ', cip, '.'), wire(' > ', vip, '.80: Flags [S]'))).toBe(true);
    expect(anyLine(lines[1], /Flags \[S\]/)).toBe(false);
  });

  it('director.vip-not-local: SYN on ext, not balanced, ICMP unreachable back', async () => {
    const { lines } = await withFault('director.vip-not-local', [ext(), int()]);
    expect(anyLine(lines[0], wire(' > ', vip, '.80: Flags [S]'))).toBe(true);
    expect(both(lines[0], wire(' > ', cip, ': ICMP'), /unreachable/)).toBe(true);
    expect(anyLine(lines[1], /Flags \[S\]/)).toBe(false);
  });

  it('director.no-virtual-service: the director answers RST from the VIP', async () => {
    const { lines } = await withFault('director.no-virtual-service', [ext(), int()]);
    expect(both(lines[0], wire('IP ', vip, '.80 > ', cip, '.'), /Flags \[R\.\]/)).toBe(true);
    expect(anyLine(lines[1], /Flags \[S\]/)).toBe(false);
  });

  it('director.no-weight: ICMP VIP tcp port 80 unreachable', async () => {
    const { lines } = await withFault('director.no-weight', [ext()]);
    expect(anyLine(lines[0], wire('IP ', vip, ' > ', cip, ': ICMP ', vip, ' tcp port 80 unreachable'))).toBe(true);
  });

  it('director.send-redirects: ICMP redirect from the DIP, then rs1 answers the LAN client untranslated', async () => {
    const { lines } = await withFault('director.send-redirects', [onLan('rs1'), onLan('lanclient', 'tcp')], {
      target: 'rs1',
      from: 'lanclient',
    });
    expect(anyLine(lines[0], wire('IP ', dip, ' > ', rip('rs1'), ': ICMP redirect ', lanclient))).toBe(true);
    expect(both(lines[1], wire('IP ', rip('rs1'), '.80 > ', lanclient, '.'), /Flags \[S\.\]/)).toBe(true);
  });

  it('director.rp-filter: SYN on ext, dropped by strict rp_filter', async () => {
    const { lines } = await withFault('director.rp-filter', [ext(), int()]);
    expect(anyLine(lines[0], wire(' > ', vip, '.80: Flags [S]'))).toBe(true);
    expect(anyLine(lines[1], /Flags \[S\]/)).toBe(false);
  });

  it('director.firewall-drop (requests): SYN on ext, never on int', async () => {
    const { lines } = await withFault('director.firewall-drop', [ext(), int()], { variant: 'requests' });
    expect(anyLine(lines[0], wire(' > ', vip, '.80: Flags [S]'))).toBe(true);
    expect(anyLine(lines[1], /Flags \[S\]/)).toBe(false);
  });

  it('director.firewall-drop (replies): SYN+ACK on int, never on ext', async () => {
    const { lines } = await withFault('director.firewall-drop', [ext(), int()], { variant: 'replies' });
    expect(both(lines[1], wire(' > ', cip, '.'), /Flags \[S\.\]/)).toBe(true);
    expect(anyLine(lines[0], /Flags \[S\.\]/)).toBe(false);
  });

  it('director.untranslated-leak: SYN+ACK from RIP:RPORT leaves ext untranslated', async () => {
    const { lines } = await withFault('director.untranslated-leak', [ext()], { target: 'rs1', seconds: 3 });
    expect(both(lines[0], wire('IP ', rip('rs1'), '.80 > ', cip, '.'), /Flags \[S\.\]/)).toBe(true);
  });

  it('realserver.reply-route: the reply bypasses the director and reaches the client untranslated', async () => {
    const { lines } = await withFault('realserver.reply-route', [int('tcp'), { host: 'client', iface: info.ext, filter: 'tcp' }], {
      target: 'rs1',
    });
    expect(anyLine(lines[0], wire(' > ', rip('rs1'), '.80: Flags [S]'))).toBe(true);
    expect(answers(lines[0], rip('rs1'), cip)).toEqual([]);
    expect(both(lines[1], wire('IP ', rip('rs1'), '.80 > ', cip, '.'), /Flags \[S\.\]/)).toBe(true);
  });

  it('director.return-path-stalled: conntrack keeps an unreplied entry for the target', async () => {
    let table = '';
    const { lines } = await withFault('director.return-path-stalled', [int('tcp')], {
      target: 'rs2',
      whileActive: async () => {
        table = (await labExec(PREFIX, 'director', ['conntrack', '-L', '-p', 'tcp', '--orig-dst', vip])).stdout;
      },
    });
    expect(answers(lines[0], rip('rs2'), cip)).toEqual([]);
    expect(table).toMatch(new RegExp(`SYN_SENT .*\\[UNREPLIED\\] src=${rip('rs2').replace(/\./g, '\\.')}`));
  });

  it('realserver.onlink-client: rs1 answers the LAN client directly, untranslated', async () => {
    const { lines } = await withFault('realserver.onlink-client', [onLan('lanclient', 'tcp')], { target: 'rs1', from: 'lanclient' });
    expect(anyLine(lines[0], wire('IP ', rip('rs1'), '.80 > ', lanclient, '.'))).toBe(true);
  });

  it('realserver.redirect-accepted: a cached redirect on rs2 sends its replies straight to the LAN client', async () => {
    let route = '';
    const { lines } = await withFault('realserver.redirect-accepted', [onLan('lanclient', 'tcp')], {
      target: 'rs2',
      from: 'lanclient',
      whileActive: async () => {
        route = (await labExec(PREFIX, 'rs2', ['ip', 'route', 'get', lanclient])).stdout;
        const sysctl = await labExec(PREFIX, 'director', ['cat', `/proc/sys/net/ipv4/conf/${info.int}/send_redirects`]);
        expect(sysctl.stdout.trim()).toBe('0');
      },
    });
    expect(route).toContain('redirected');
    expect(anyLine(lines[0], wire('IP ', rip('rs2'), '.80 > ', lanclient, '.'))).toBe(true);
  });

  it('realserver.no-listener on the remapped rs3: RST from RIP:8080', async () => {
    const { lines } = await withFault('realserver.no-listener', [onLan('rs3', 'tcp')], { target: 'rs3' });
    expect(both(lines[0], wire('IP ', rip('rs3'), '.8080 > ', cip, '.'), /Flags \[R\.\]/)).toBe(true);
  });

  it('realserver.firewall-reject: ICMP port unreachable from the realserver', async () => {
    const { lines } = await withFault('realserver.firewall-reject', [onLan('rs1')], { target: 'rs1' });
    expect(anyLine(lines[0], wire('IP ', rip('rs1'), ' > ', cip, ': ICMP ', rip('rs1'), ' tcp port 80 unreachable'))).toBe(true);
  });

  for (const variant of ['firewall', 'rp-filter']) {
    it(`realserver.silent-drop (${variant}): the SYN arrives, nothing goes back`, async () => {
      const { lines } = await withFault('realserver.silent-drop', [onLan('rs1')], { target: 'rs1', variant });
      expect(anyLine(lines[0], wire(' > ', rip('rs1'), '.80: Flags [S]'))).toBe(true);
      expect(answers(lines[0], rip('rs1'), cip)).toEqual([]);
    });
  }

  it('realserver.rip-missing: the request goes to the RIP, nothing answers', async () => {
    const { lines } = await withFault('realserver.rip-missing', [int('tcp or arp')], { target: 'rs1' });
    expect(anyLine(lines[0], wire(' > ', rip('rs1'), '.80: Flags [S]')) || anyLine(lines[0], wire('who-has ', rip('rs1')))).toBe(true);
    expect(answers(lines[0], rip('rs1'), cip)).toEqual([]);
    expect(anyLine(lines[0], wire('Reply ', rip('rs1'), ' is-at'))).toBe(false);
  });

  it('realserver.unreachable: the director ARPs for the RIP, no answer', async () => {
    const { lines } = await withFault('realserver.unreachable', [int('tcp or arp')], { target: 'rs1', seconds: 3 });
    expect(anyLine(lines[0], wire('Request who-has ', rip('rs1')))).toBe(true);
    expect(anyLine(lines[0], wire('Reply ', rip('rs1'), ' is-at'))).toBe(false);
  });

  it('client.no-route-to-vip: no SYN reaches the director', async () => {
    const { lines, conn } = await withFault('client.no-route-to-vip', [ext()]);
    expect(conn.exitCode).toBe(7);
    expect(anyLine(lines[0], /Flags \[S\]/)).toBe(false);
  });

  it('comes down and leaves nothing behind', async () => {
    const pids = (await import('../../src/lab/state.js')).readState(PREFIX)?.daemons.map((d) => d.pid) ?? [];
    expect(pids.length).toBeGreaterThan(0);
    const { leftovers } = await labDown(PREFIX);
    expect(leftovers).toEqual([]);
    expect(await labLeftovers(PREFIX, pids)).toEqual([]);
    expect(await runLabCli(['down', '--prefix', PREFIX])).toBe(1);
  });
});
