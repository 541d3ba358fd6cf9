// The frames of commands run together in one session (together.ts), read as the session's
// stdout grows: a frame counts once whole, and frames that crossed are refused, not misread.
import { describe, expect, it } from 'vitest';
import { shellJoin } from '../../src/transport/quote.js';
import { TogetherFrames, togetherScript } from '../../src/transport/together.js';

const B = 'lvsd-0123456789abcdef01234567';
const frame = (i: number, out: string, rc: number, err: string): string => `${B} O ${i}\n${out}\n${B} E ${i} ${rc}\n${err}\n${B} Z ${i}\n`;

describe('TogetherFrames', () => {
  it('hands out each frame once it is whole, in the order they come, each once', () => {
    const frames = new TogetherFrames(B, 2);
    const whole = frame(1, 'late\n', 0, '') + frame(0, '200 10.0.0.10', 28, 'curl: (28) timed out\n');
    const cut = whole.indexOf(`${B} Z 1`) + 4;
    expect(frames.take(Buffer.from(whole.slice(0, cut)))).toEqual([]);
    const got = frames.take(Buffer.from(whole));
    expect(got.map((f) => ('error' in f ? f.error.message : [f.index, Buffer.from(f.stdout).toString(), f.exitCode, f.stderr]))).toEqual([
      [0, '200 10.0.0.10', 28, 'curl: (28) timed out\n'],
      [1, 'late\n', 0, ''],
    ]);
    expect(frames.take(Buffer.from(whole))).toEqual([]);
  });

  it('refuses a frame that holds another one\'s marks (two writes that crossed)', () => {
    const frames = new TogetherFrames(B, 2);
    const zero = frame(0, 'QQ', 0, '');
    const one = frame(1, 'RR', 0, '');
    // Frame 1 written in the middle of frame 0's stdout.
    const crossed = zero.slice(0, zero.indexOf('QQ')) + one + zero.slice(zero.indexOf('QQ'));
    const got = frames.take(Buffer.from(crossed));
    expect(got.map((f) => [f.index, 'error' in f ? 'error' : 'ok'])).toEqual([
      [0, 'error'],
      [1, 'ok'],
    ]);
  });

  it('the script quotes every argument and refuses what it cannot run', () => {
    expect(togetherScript([['echo', "it's; rm -rf /"]], B)).toContain(shellJoin(['echo', "it's; rm -rf /"]));
    expect(() => togetherScript([['true']], 'not-a-boundary')).toThrow(/boundary/);
    expect(() => togetherScript([], B)).toThrow();
    expect(() => togetherScript([[]], B)).toThrow(/empty/);
  });
});
