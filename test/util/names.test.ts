import { describe, expect, it } from 'vitest';
import { echoValue } from '../../src/util/names.js';

describe('echoValue', () => {
  it('cuts a long value and says how long it was', () => {
    expect(echoValue('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}… (100 characters)`);
  });

  it('shows every control character escaped, with the faces\' rule, and tab and newline too (one-line messages)', () => {
    expect(echoValue('lb\u001b]0;pwned\u0007')).toBe('lb\\x1b]0;pwned\\x07');
    expect(echoValue('a\tb\nc')).toBe('a\\x09b\\x0ac');
    // A right-to-left override makes a value read other than it is: escaped as in every face.
    expect(echoValue('eth0\u202e1')).toBe('eth0\\u202e1');
  });
});
