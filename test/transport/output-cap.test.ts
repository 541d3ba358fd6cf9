// Whatever a host sends, the doctor keeps a bounded part of it: past the cap the command is
// stopped and the run fails with 'output-limit', naming the cap (the rest of the run goes on).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.js';
import { describeCap, OutputMeter, TEXT_OUTPUT_CAP, CAPTURE_OUTPUT_CAP } from '../../src/transport/output-cap.js';
import { SshChannel } from '../../src/transport/ssh-channel.js';
import { TransportError } from '../../src/transport/transport.js';
import { startCapture } from '../../src/probes/capture.js';
import { FakeTransport } from './fake-transport.js';

describe('OutputMeter', () => {
  it('breaks on the byte count, the line count and one line too long, across chunks', () => {
    const cap = { bytes: 20, lines: 3, lineBytes: 6 };
    expect(OutputMeter.check(Buffer.from('a\nb\nc\n'), cap)).toBeNull();
    expect(OutputMeter.check(Buffer.from('a\nb\nc\nd\n'), cap)).toBe('line count');
    expect(OutputMeter.check(Buffer.from('x'.repeat(21)), { ...cap, lineBytes: 100 })).toBe('size');
    const m = new OutputMeter(cap);
    expect(m.push(Buffer.from('abc'))).toBe(true);
    expect(m.push(Buffer.from('def'))).toBe(true);
    expect(m.push(Buffer.from('g'))).toBe(false);
    expect(m.broken).toBe('line length');
    // A capture counts bytes only: a pcap has no lines.
    expect(OutputMeter.check(Buffer.alloc(1_000_000, 0x0a), CAPTURE_OUTPUT_CAP)).toBeNull();
    expect(describeCap(TEXT_OUTPUT_CAP)).toBe('16 MiB, 200000 lines, 1 MiB a line');
  });
});

describe('LocalTransport under its caps', () => {
  const t = new LocalTransport();
  it('a flood of lines (`yes`) is stopped at the line cap and fails naming it', async () => {
    const error = await t.run('local', ['yes'], { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('output-limit');
    expect((error as TransportError).message).toMatch(/^local: stdout passed the output cap \(line count of 16 MiB, 200000 lines, 1 MiB a line\)/);
  });
  it('one endless line is stopped at the line-length cap', async () => {
    const error = await t.run('local', ['sh', '-c', 'exec tr -d "\\n" < /dev/zero'], { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect((error as TransportError).kind).toBe('output-limit');
    expect((error as TransportError).message).toMatch(/line length/);
  });
  it('a capture may pass the text line cap (binary), and is held to its own byte cap', async () => {
    const ok = await t.run('local', ['head', '-c', '2000000', '/dev/zero'], { timeoutMs: 30_000, outputCap: { bytes: 4_000_000, lines: Infinity, lineBytes: Infinity } });
    expect(ok.stdout.length).toBe(2_000_000);
    const error = await t.run('local', ['cat', '/dev/zero'], { timeoutMs: 30_000, outputCap: CAPTURE_OUTPUT_CAP }).catch((e: unknown) => e);
    expect((error as TransportError).message).toMatch(/size of 16 MiB/);
  });
  it('stderr has its cap too', async () => {
    const error = await t.run('local', ['sh', '-c', 'yes >&2'], { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect((error as TransportError).message).toMatch(/^local: stderr passed the output cap/);
  });
});

describe('SshChannel under the cap', () => {
  it('a batch that floods: the finished command keeps its result, the flooding one fails naming the cap, the rest and the queued batches are handed back', async () => {
    const child = spawn('sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const channel = new SshChannel({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited: once(child, 'exit'), kill: () => void child.kill('SIGKILL') }, 2_000);
    const item = (...argv: string[]) => ({ argv, timeoutMs: 20_000, sudo: false });
    const flooding = channel.run([item('echo', 'fine'), item('yes'), item('echo', 'never')]);
    const queued = channel.run([item('echo', 'next')]);
    const [fine, flood, never] = (await flooding)!;
    expect(Buffer.from(fine!.stdout).toString()).toBe('fine\n');
    expect(flood?.overflow).toMatch(/^stdout passed the output cap \(line count/);
    expect(never).toBeNull();
    expect(await queued).toBeNull();
    expect(channel.alive).toBe(false);
    await channel.close(500);
  });
});

describe('captures', () => {
  it('run under the capture cap (bytes only), not the text cap', async () => {
    const fake = new FakeTransport(() => ({ stderr: 'listening on eth0\n' }));
    const c = startCapture(fake, { host: 'director', iface: 'eth0', filter: { hosts: ['10.0.0.2'] } });
    await c.done;
    expect(fake.calls[0].options.outputCap).toBe(CAPTURE_OUTPUT_CAP);
  });
});
