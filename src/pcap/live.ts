// A capture read while it runs: stdout chunks pushed as they arrive, packets decoded as soon
// as a record is whole (the same record cutter as a finished capture, decodePcapBatches).
// What it shows is a preview for deciding when to stop: the finished capture, decoded again
// from all its bytes, is what the hop analysis judges. A preview that cannot be decoded just
// stops growing.
import type { Packet } from '../model/packet.js';
import { decodePcapBatches } from './stream.js';

export class LivePackets {
  readonly packets: Packet[] = [];
  private readonly queue: Uint8Array[] = [];
  private wake: (() => void) | null = null;
  private ended = false;

  /** `onPackets`: called after each batch of newly whole records. */
  constructor(onPackets: () => void) {
    void (async () => {
      try {
        for await (const batch of decodePcapBatches(this.chunks())) {
          this.packets.push(...batch);
          onPackets();
        }
      } catch {
        // Not decodable as it came (or cut mid-record at the end): the preview stops here.
      }
    })();
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    this.queue.push(chunk);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  private async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}
