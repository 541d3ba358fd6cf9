// collectOutput: the PID line a stop needs is read even after the other stream passed its cap.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectOutput, PID_MARKER } from '../../src/transport/streams.js';

const cap = { bytes: 64, lines: 4, lineBytes: 64 };

function flooded(stderrChunks: string[]): Promise<{ pid: number | undefined; stderr: string; overflow: string | null }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let pid: number | undefined;
  const output = collectOutput(stdout, stderr, undefined, (p) => (pid = p), { stdout: cap, onOverflow: () => undefined });
  // stdout passes its cap first, as `yes` does, before stderr's first line is read.
  stdout.end('y\n'.repeat(100));
  return new Promise((resolve) => {
    setImmediate(() => {
      for (const c of stderrChunks) stderr.write(c);
      stderr.end();
      void Promise.all([output.stdout, output.stderr]).then(([, text]) => resolve({ pid, stderr: text, overflow: output.overflow() }));
    });
  });
}

describe('collectOutput past a cap', () => {
  it('still reads the PID line that comes after stdout passed its cap, and keeps nothing else', async () => {
    const r = await flooded([`${PID_MARKER} 4242\n`, 'later noise\n']);
    expect(r.overflow).toMatch(/^stdout passed the output cap/);
    expect(r.pid).toBe(4242);
    expect(r.stderr).toBe('');
  });

  it('a PID line split across chunks is read too; a flood without newlines is not taken for one', async () => {
    expect((await flooded([`${PID_MARKER} 42`, '42\n'])).pid).toBe(4242);
    expect((await flooded(['x'.repeat(100), `${PID_MARKER} 4242`, '\n'])).pid).toBeUndefined();
  });
});
