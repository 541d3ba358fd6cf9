// A capture read while it runs (src/pcap/live.ts) shows, record by record, what the finished
// capture decodes to: chunks cut anywhere (inside the file header, inside a record) included.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePcap } from '../../src/pcap/index.js';
import { LivePackets } from '../../src/pcap/live.js';

const file = join(import.meta.dirname, '../../fixtures/parsers/pcap/netns--any-sll2.pcap');

async function settled(live: LivePackets, count: number): Promise<void> {
  for (let i = 0; i < 1000 && live.packets.length < count; i++) await new Promise((r) => setImmediate(r));
}

describe('LivePackets', () => {
  for (const size of [1, 7, 24, 100, 4096]) {
    it(`chunks of ${size} bytes give the finished capture's packets`, async () => {
      const bytes = readFileSync(file);
      const whole = (await decodePcap(bytes)).packets;
      let calls = 0;
      const live = new LivePackets(() => calls++);
      for (let at = 0; at < bytes.length; at += size) live.push(bytes.subarray(at, at + size));
      await settled(live, whole.length);
      expect(live.packets).toEqual(whole);
      expect(calls).toBeGreaterThan(0);
      live.end();
    });
  }

  it('shows only whole records while one is still arriving', async () => {
    const bytes = readFileSync(file);
    const whole = (await decodePcap(bytes)).packets;
    const live = new LivePackets(() => undefined);
    // The header, the first record, and half of the second.
    const firstLength = 24 + 16 + bytes.readUInt32LE(24 + 8);
    const secondLength = 16 + bytes.readUInt32LE(firstLength + 8);
    live.push(bytes.subarray(0, firstLength + Math.floor(secondLength / 2)));
    await settled(live, 1);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(live.packets).toEqual(whole.slice(0, 1));
    live.end();
  });

  it('text that is no capture shows nothing and does not throw', async () => {
    const live = new LivePackets(() => undefined);
    live.push(Buffer.from('tcpdump: eth9: No such device exists\n'));
    live.end();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(live.packets).toEqual([]);
  });
});
