import { describe, expect, it } from 'vitest';
import { hostname } from '../../src/probes/hostname.js';
import { ipAddr } from '../../src/probes/ip-addr.js';
import { ipRouteGet } from '../../src/probes/ip-route-get.js';
import { ping } from '../../src/probes/ping.js';
import { runProbes, type ParseFn } from '../../src/probes/runner.js';
import { ssListen } from '../../src/probes/ss.js';
import { ParseError } from '../../src/model/parse-error.js';
import { QUICK_PER_SESSION, TransportError } from '../../src/transport/transport.js';
import { FakeTransport } from '../transport/fake-transport.js';

const echoParse: ParseFn = async (id, data) => ({ id, text: Buffer.from(data).toString('utf8') });

describe('runProbes', () => {
  it('runs identical probes on one host once, and separately per host', async () => {
    const t = new FakeTransport(() => ({ stdoutText: 'x' }));
    const out = await runProbes(t, [
      { host: 'rs1', probe: ipAddr() },
      { host: 'rs1', probe: ipAddr },
      { host: 'rs2', probe: ipAddr() },
    ], { parse: echoParse });
    expect(t.calls).toHaveLength(2);
    expect(out.map((o) => o.ok)).toEqual([true, true, true]);
    expect(out[0]).toEqual(out[1]);
  });

  it('keeps per-host and global limits', async () => {
    const t = new FakeTransport(() => ({ stdoutText: '', delayMs: 20 }));
    // Probes that each take a session of their own (not batched).
    const requests = ['a', 'b', 'c'].flatMap((host) => Array.from({ length: 10 }, (_, i) => ({ host, probe: { ...ping('10.0.0.1', `10.0.1.${i + 1}`), quick: false } })));
    await runProbes(t, requests, { parse: echoParse, limits: { global: 5, perHost: 2 } });
    expect(t.calls).toHaveLength(30);
    expect(t.maxActive).toBeLessThanOrEqual(5);
    expect(t.maxActive).toBeGreaterThan(2);
    for (const h of ['a', 'b', 'c']) expect(t.maxActivePerHost.get(h)).toBe(2);
  });

  it('quick reads asked together share one slot per session, so a transport can batch them', async () => {
    const t = new FakeTransport(() => ({ stdoutText: '', delayMs: 20 }));
    // Distinct quick reads on one host with a single slot: they cannot wait for each other.
    const quick = Array.from({ length: QUICK_PER_SESSION + 2 }, (_, i) => ({ host: 'a', probe: { ...ipAddr(), key: `ip-addr-${i}` } }));
    await runProbes(t, [...quick, { host: 'a', probe: { ...ping('10.0.0.1', '10.0.1.1'), quick: false } }], { parse: echoParse, limits: { global: 4, perHost: 1 } });
    expect(t.calls).toHaveLength(QUICK_PER_SESSION + 3);
    expect(t.calls.filter((c) => c.options.batch)).toHaveLength(QUICK_PER_SESSION + 2);
    // A session's worth run at once, the other two in the next slot.
    expect(t.maxActivePerHost.get('a')).toBe(QUICK_PER_SESSION);
  });

  it('types every failure and never sinks the run', async () => {
    const t = new FakeTransport((host, argv) => {
      if (host === 'down') return { error: new TransportError('unreachable', host, 'ssh: connect to host x port 22: Connection refused') };
      if (argv[0] === 'ss') return { exitCode: 127, stderr: "timeout: failed to run command 'ss': No such file or directory" };
      if (argv[0] === 'hostname') return { exitCode: 1, stderr: 'boom' };
      if (argv[0] === 'ping') return { exitCode: 124, timedOut: true };
      return { stdoutText: 'garbage' };
    });
    const parse: ParseFn = async (id) => {
      if (id === 'ip-addr') throw new ParseError('expected an address line', 1, 'garbage');
      return {};
    };
    const out = await runProbes(t, [
      { host: 'down', probe: ipAddr() },
      { host: 'rs1', probe: ssListen() },
      { host: 'rs1', probe: hostname() },
      { host: 'rs1', probe: ping('10.0.0.1', '10.0.0.2') },
      { host: 'rs1', probe: ipAddr() },
      { host: 'rs1', probe: () => ping('10.0.0.1', '$(reboot)') },
    ], { parse });
    expect(out.map((o) => (o.ok ? undefined : o.error?.kind))).toEqual(['transport', 'missing-tool', 'exit', 'timeout', 'parse', 'validation']);
    expect(out[0]).toMatchObject({ ok: false, failure: 'transport', error: { transportKind: 'unreachable' } });
    expect(out[4]).toMatchObject({ ok: false, failure: 'parse', error: { line: 1 } });
    expect(t.calls.some((c) => c.argv.includes('$(reboot)'))).toBe(false);
  });

  it('accepts a non-zero exit where the probe says it is data', async () => {
    const t = new FakeTransport(() => ({ exitCode: 1, stdoutText: '1 packets transmitted, 0 received' }));
    const [o] = await runProbes(t, [{ host: 'rs1', probe: ping('10.0.0.1', '10.0.0.2') }], { parse: echoParse });
    expect(o.ok).toBe(true);
  });

  it('skips Linux probes on a host that is not Linux, runs portable ones', async () => {
    const t = new FakeTransport((host, argv) => (argv[0] === 'uname' ? { stdoutText: host === 'bsd' ? 'FreeBSD 14.0-RELEASE\n' : 'Linux 6.1.0\n' } : { stdoutText: 'h\n' }));
    const out = await runProbes(t, [
      { host: 'bsd', probe: ipAddr() },
      { host: 'bsd', probe: hostname() },
      { host: 'lnx', probe: ipAddr() },
    ], { detectOs: true, parse: async (id, d) => (id === 'uname' ? { system: Buffer.from(d).toString().split(' ')[0], linux: Buffer.from(d).toString().startsWith('Linux') } : {}) });
    expect(out.map((o) => (o.ok ? 'ok' : o.failure))).toEqual(['skipped', 'ok', 'ok']);
    expect(out[0]).toMatchObject({ ok: false, message: expect.stringMatching(/FreeBSD/) });
  });

  it('reads with the parser registry by default and reports a parser not yet registered', async () => {
    const t = new FakeTransport(() => ({ stdoutText: 'rs1\n' }));
    const [o] = await runProbes(t, [{ host: 'rs1', probe: hostname() }]);
    expect(o.parsed).toEqual({ hostname: 'rs1' });
    const [missing] = await runProbes(t, [{ host: 'rs1', probe: { ...hostname(), key: 'x', parser: 'no-such-parser' } }]);
    expect(missing).toMatchObject({ ok: false, failure: 'parse', error: { kind: 'no-parser' } });
  });
  it('a tool that answers only on stderr is read from stderr (as recorded in fixtures/bundles)', async () => {
    // ip route get with no route: exit 2, nothing on stdout, the RTNETLINK error on stderr.
    const t = new FakeTransport(() => ({ exitCode: 2, stderr: 'RTNETLINK answers: Network is unreachable\n' }));
    const [o] = await runProbes(t, [{ host: 'rs1', probe: ipRouteGet({ to: '10.0.0.1' }) }]);
    expect(o!.ok).toBe(true);
    expect(o!.readFrom).toBe('stderr');
    expect(o!.parsed).toMatchObject({ results: [{ error: 'network-unreachable', errorMessage: 'Network is unreachable' }] });
  });
});
