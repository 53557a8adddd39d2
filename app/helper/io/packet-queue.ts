// A bounded FIFO of packets with addresses, for the backends that receive one packet per event
// (node:dgram) or simulate a kernel queue (fakes). Full = the new packet is dropped and counted,
// as a kernel socket buffer would do; memory never grows past `capacity` entries.
import { ADDR_WORDS } from '../../../native/index.ts';
import type { PacketBatch } from './packet-batch.ts';

export class PacketQueue {
  private readonly bufs: (Uint8Array | null)[];
  private readonly ips: Uint32Array;
  private readonly ports: Uint32Array;
  private head = 0;
  private size = 0;
  /** Packets refused because the queue was full. */
  dropped = 0;
  /** Packets cut to the batch's slot room on the way out. */
  truncated = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('queue capacity must be a positive integer');
    this.bufs = new Array<Uint8Array | null>(capacity).fill(null);
    this.ips = new Uint32Array(capacity);
    this.ports = new Uint32Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Enqueues `bytes` (kept by reference: pass a copy if the caller reuses it). */
  push(bytes: Uint8Array, ip: number, port: number): boolean {
    if (this.size >= this.capacity) {
      this.dropped++;
      return false;
    }
    const at = (this.head + this.size) % this.capacity;
    this.bufs[at] = bytes;
    this.ips[at] = ip >>> 0;
    this.ports[at] = port;
    this.size++;
    return true;
  }

  /** Moves up to batch.capacity packets into the batch from slot 0; returns the count. */
  drainInto(batch: PacketBatch): number {
    const n = Math.min(this.size, batch.capacity);
    const room = batch.room;
    for (let i = 0; i < n; i++) {
      const at = this.head;
      const src = this.bufs[at] as Uint8Array;
      const len = Math.min(src.length, room);
      if (len < src.length) this.truncated++;
      const off = i * batch.slotSize + batch.headroom;
      batch.slab.set(len === src.length ? src : src.subarray(0, len), off);
      batch.offsets[i] = off;
      batch.lens[i] = len;
      batch.addrs[i * ADDR_WORDS] = this.ips[at] ?? 0;
      batch.addrs[i * ADDR_WORDS + 1] = this.ports[at] ?? 0;
      this.bufs[at] = null;
      this.head = (at + 1) % this.capacity;
    }
    this.size -= n;
    batch.count = n;
    return n;
  }

  clear(): void {
    this.bufs.fill(null);
    this.head = 0;
    this.size = 0;
  }
}
