import { describe, expect, it } from 'vitest';
import { chooseFormat, inCi } from '../../src/commands/format-choice.js';
import type { CommandIO } from '../../src/commands/io.js';

function io(isTTY: boolean, env: NodeJS.ProcessEnv): CommandIO & { errors: string[] } {
  const errors: string[] = [];
  return { out: () => {}, err: (t) => void errors.push(t), readStdin: async () => new Uint8Array(), isTTY, env, errors };
}

describe('chooseFormat', () => {
  it('a terminal gets the TUI, a pipe gets text', () => {
    expect(chooseFormat({}, io(true, {}))).toBe('tui');
    expect(chooseFormat({}, io(false, {}))).toBe('text');
  });
  it('under CI a terminal gets text: Ink would draw nothing until it quits', () => {
    expect(chooseFormat({}, io(true, { CI: 'true' }))).toBe('text');
    expect(chooseFormat({}, io(true, { CONTINUOUS_INTEGRATION: '1' }))).toBe('text');
    const asked = io(true, { CI: '1' });
    expect(chooseFormat({ format: 'tui' }, asked)).toBe('text');
    expect(asked.errors.join('')).toMatch(/CI is set/);
  });
  it('CI=false and CI=0 are not CI, as Ink reads them', () => {
    expect(inCi({ CI: 'false' })).toBe(false);
    expect(inCi({ CI: '0' })).toBe(false);
    expect(inCi({ CI: '' })).toBe(true);
    expect(chooseFormat({}, io(true, { CI: 'false' }))).toBe('tui');
  });
  it('--json and --json-stream win; an unknown format is refused with the list', () => {
    expect(chooseFormat({ json: true, format: 'text' }, io(true, {}))).toBe('json');
    expect(chooseFormat({ 'json-stream': true }, io(false, {}))).toBe('json-stream');
    const bad = io(false, {});
    expect(chooseFormat({ format: 'xml' }, bad)).toBeNull();
    expect(bad.errors.join('')).toMatch(/unknown --format 'xml' \(tui, text, json, json-stream, nagios, prometheus\)/);
  });
});
