// A fixed batch of outgoing UDP payloads in preallocated buffers: the PacketWriter that flush()
// fills and a batch UDP write (sendmmsg) drains. No allocation after construction.
import { MAX_UDP_PAYLOAD } from './config.ts';
import type { HostPort, PacketWriter } from './types.ts';

export class PacketBatch implements PacketWriter {
  readonly capacity: number;
  readonly buffers: readonly Uint8Array[];
  readonly lengths: Uint16Array;
  readonly destinations: HostPort[];
  count = 0;

  constructor(capacity: number, bufferSize: number = MAX_UDP_PAYLOAD) {
    this.capacity = capacity;
    const slab = new Uint8Array(capacity * bufferSize);
    this.buffers = Array.from({ length: capacity }, (_, i) =>
      slab.subarray(i * bufferSize, (i + 1) * bufferSize),
    );
    this.lengths = new Uint16Array(capacity);
    this.destinations = new Array<HostPort>(capacity);
  }

  nextBuffer(): Uint8Array | null {
    return this.count < this.capacity ? (this.buffers[this.count] ?? null) : null;
  }

  commit(len: number, to: HostPort): void {
    this.lengths[this.count] = len;
    this.destinations[this.count] = to;
    this.count++;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** View of packet i (valid until clear()). */
  packet(i: number): Uint8Array {
    const b = this.buffers[i];
    if (b === undefined || i >= this.count) throw new RangeError(`no packet ${i}`);
    return b.subarray(0, this.lengths[i]);
  }

  clear(): void {
    this.count = 0;
  }
}
