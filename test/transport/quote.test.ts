import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../src/transport/quote.js';
import { remoteCommand, stopCommand } from '../../src/transport/remote-command.js';
import { PID_MARKER } from '../../src/transport/streams.js';

const HOSTILE = ['eth0; rm -rf /', '$(id)', '`id`', 'a\nb', "it's", '"quoted"', '-rf', '--', '', ' ', '*', '~root', 'A=b', '\\', "'; echo pwned; '", '$HOME', '!', '%s'];

function sh(command: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('shellQuote', () => {
  it.each(HOSTILE)('carries %j through a real shell unchanged', (value) => {
    expect(sh(`printf %s ${shellQuote(value)}`).stdout).toBe(value);
  });

  it('keeps argv boundaries', () => {
    const r = sh(`printf '<%s>' ${shellJoin(HOSTILE)}`);
    expect(r.stdout).toBe(HOSTILE.map((v) => `<${v}>`).join(''));
  });

  it('refuses NUL', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('remoteCommand', () => {
  it.each(HOSTILE)('runs argv with %j as one argument under timeout, PID first on stderr', (value) => {
    const r = sh(remoteCommand(['printf', '%s', value], { timeoutMs: 5000, sudo: false }));
    expect(r.stdout).toBe(value);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${PID_MARKER} \\d+$`));
    expect(r.status).toBe(0);
  });

  it('passes the exit code through and bounds the run', () => {
    expect(sh(remoteCommand(['sh', '-c', 'exit 3'], { timeoutMs: 5000, sudo: false })).status).toBe(3);
    expect(sh(remoteCommand(['sleep', '10'], { timeoutMs: 200, sudo: false })).status).toBe(124);
  });

  it('prefixes sudo -n outside timeout when asked', () => {
    expect(remoteCommand(['ipvsadm', '-Ln'], { timeoutMs: 1000, sudo: true })).toContain(`exec 'sudo' '-n' 'timeout' '-k' '1' '1' 'ipvsadm' '-Ln'`);
  });

  it('runs the stdin watcher under sudo with the command, so its kill reaches a root command', () => {
    const text = remoteCommand(['tcpdump', '-i', 'any'], { timeoutMs: 1000, sudo: true, endsOnStdinClose: true });
    expect(text).toMatch(/^echo lvs-doctor-pid \$\$ >&2; exec 'sudo' '-n' 'timeout' '-k' '1' '1' 'sh' '-c' '[^']*kill -TERM[^']*' 'sh' 'tcpdump' '-i' 'any'$/);
  });

  it('refuses to stop pid 1 or nonsense', () => {
    expect(() => stopCommand(1, false)).toThrow();
    expect(() => stopCommand(Number.NaN, false)).toThrow();
    expect(stopCommand(1234, true)).toBe(`'sudo' '-n' 'kill' '-TERM' '1234'`);
  });
});
