// The held-output idiom's own guard; what it holds is tested through a real sh by its two users
// (ssh-batch.test.ts: an item beside the others; together.test.ts and ssh.test.ts: the test
// connections), byte for byte.
import { describe, expect, it } from 'vitest';
import { holdOutput } from '../../src/transport/held-output.js';

describe('holdOutput', () => {
  it('names its status variable only with letters: the name goes into the script as it is', () => {
    expect(holdOutput("'true'", 'rc')).toContain('; rc=${a##* }; ');
    for (const bad of ['', 'r c', 'r;x', '$r', 'rc1']) expect(() => holdOutput("'true'", bad)).toThrow(/bad variable name/);
  });
});
