// Truncated and corrupted captures never make the pcap reader throw anything but a ParseError,
// and never hang. Seeds are the real fixture captures.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePcap } from '../../src/pcap/index.js';
import { ParseError } from '../../src/model/parse-error.js';

const dir = join(import.meta.dirname, '../../fixtures/parsers/pcap');
const captures = ['netns--lan.pcap', 'netns--any-sll2.pcap', 'netns--any-sll.pcap', 'netns--lan-nano.pcap'].map((f) => readFileSync(join(dir, f)));

async function onlyParseError(data: Uint8Array): Promise<void> {
  try {
    await decodePcap(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
  }
}

describe('pcap reader under corruption', () => {
  it('random bytes, with and without a real header in front', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, withHeader) => {
        const data = withHeader ? Buffer.concat([captures[0].subarray(0, 24), bytes]) : bytes;
        await onlyParseError(data);
      }),
      { numRuns: 300 },
    );
  });

  it('real captures truncated anywhere, with bytes overwritten', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: captures.length - 1 }),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        async (which, cut, writes) => {
          const data = Buffer.from(captures[which].subarray(0, cut % (captures[which].length + 1)));
          for (const [at, value] of writes) if (data.length > 0) data[at % data.length] = value;
          await onlyParseError(data);
        },
      ),
      { numRuns: 300 },
    );
  });
});
