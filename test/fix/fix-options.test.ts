// The flags of the write path: nothing is asked of a plain diagnosis, and what goes with --fix is checked.
import { describe, expect, it } from 'vitest';
import { fixRequestOf } from '../../src/commands/fix-options.js';

describe('fixRequestOf', () => {
  it('is null without --fix (read-only)', () => expect(fixRequestOf({})).toBeNull());
  it('reads --fix ID with --yes or --dry-run', () => {
    expect(fixRequestOf({ fix: 'realserver.reply-route', yes: true })).toEqual({ id: 'realserver.reply-route', yes: true, dryRun: false });
    expect(fixRequestOf({ fix: 'director.rp-filter', 'dry-run': true })).toEqual({ id: 'director.rp-filter', yes: false, dryRun: true });
  });
  it('refuses --yes or --dry-run alone, an unknown id, both at once, and a machine format', () => {
    expect(() => fixRequestOf({ yes: true })).toThrow(/--yes goes with --fix/);
    expect(() => fixRequestOf({ 'dry-run': true })).toThrow(/--dry-run goes with --fix/);
    expect(() => fixRequestOf({ fix: 'rm -rf' })).toThrow(/not a fault id/);
    expect(() => fixRequestOf({ fix: 'director.rp-filter', yes: true, 'dry-run': true })).toThrow(/give one/);
    expect(() => fixRequestOf({ fix: 'director.rp-filter', json: true })).toThrow(/as text/);
  });
});
