// PacketBatch: the unit of every packet-path I/O call. One slab Buffer cut into `capacity`
// fixed-size slots, plus parallel typed arrays. Allocated once and reused for the life of a pump,
// so the packet path allocates nothing per packet.
//
//   slab:    capacity * slotSize bytes. Slot i spans [i*slotSize, (i+1)*slotSize).
//   headroom: bytes reserved at the front of each slot. Reads store the packet after it, so a
//            header (e.g. the 6-byte encapsulation header) can be prepended in place by moving
//            offsets[i] back and growing lens[i], without a copy.
//   offsets[i], lens[i]: where packet i starts in the slab and its length. Reads set both;
//            writers may change them (they must stay inside slot i).
//   addrs:   ADDR_WORDS (2) Uint32 per slot: [IPv4 host-order u32, UDP port]. UDP reads set the
//            source; UDP writes read the destination. Unused for TUN.
//   bursts:  one byte per slot, UDP writes only: bursts[i] > 0 caps the datagrams of a GSO message
//            that starts at packet i (native UDP; 0 = the kernel's most). Others ignore it.
//   count:   packets 0..count-1 are valid. Reads overwrite from slot 0 and set count.
import { ADDR_WORDS } from '../../../native/index.ts';

export interface PacketBatchOptions {
  /** Number of slots, i.e. the most packets one call moves. */
  capacity: number;
  /** Bytes per slot, including headroom. Must hold the largest packet (MTU) plus headroom. */
  slotSize: number;
  /** Bytes reserved at the front of each slot; default 0. */
  headroom?: number;
}

export class PacketBatch {
  readonly capacity: number;
  readonly slotSize: number;
  readonly headroom: number;
  readonly slab: Buffer;
  readonly offsets: Uint32Array;
  readonly lens: Uint32Array;
  readonly addrs: Uint32Array;
  readonly bursts: Uint8Array;
  count = 0;

  constructor(options: PacketBatchOptions) {
    const { capacity, slotSize } = options;
    const headroom = options.headroom ?? 0;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    if (!Number.isInteger(slotSize) || slotSize < 1)
      throw new RangeError('slotSize must be a positive integer');
    if (!Number.isInteger(headroom) || headroom < 0 || headroom >= slotSize) {
      throw new RangeError('headroom must be an integer in [0, slotSize)');
    }
    this.capacity = capacity;
    this.slotSize = slotSize;
    this.headroom = headroom;
    // allocUnsafeSlow: a dedicated ArrayBuffer, not a slice of Node's shared pool.
    this.slab = Buffer.allocUnsafeSlow(capacity * slotSize);
    this.offsets = new Uint32Array(capacity);
    this.lens = new Uint32Array(capacity);
    this.addrs = new Uint32Array(capacity * ADDR_WORDS);
    this.bursts = new Uint8Array(capacity);
  }

  /** Bytes a read can store per slot. */
  get room(): number {
    return this.slotSize - this.headroom;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  reset(): void {
    this.count = 0;
  }

  /**
   * Copies `bytes` into the next slot (after the headroom) with an optional address; returns the
   * slot index, or -1 when the batch is full or the packet does not fit (nothing is written).
   */
  push(bytes: Uint8Array, ip = 0, port = 0): number {
    const i = this.count;
    if (i >= this.capacity || bytes.length > this.room) return -1;
    const off = i * this.slotSize + this.headroom;
    this.slab.set(bytes, off);
    this.offsets[i] = off;
    this.lens[i] = bytes.length;
    this.addrs[i * ADDR_WORDS] = ip >>> 0;
    this.addrs[i * ADDR_WORDS + 1] = port;
    this.bursts[i] = 0;
    this.count = i + 1;
    return i;
  }

  /** A view of packet i (allocates a view object: for tests and slow paths, not per packet). */
  packet(i: number): Buffer {
    const off = this.offsets[i] ?? 0;
    return this.slab.subarray(off, off + (this.lens[i] ?? 0));
  }

  ipOf(i: number): number {
    return this.addrs[i * ADDR_WORDS] ?? 0;
  }

  portOf(i: number): number {
    return this.addrs[i * ADDR_WORDS + 1] ?? 0;
  }

  setAddr(i: number, ip: number, port: number): void {
    this.addrs[i * ADDR_WORDS] = ip >>> 0;
    this.addrs[i * ADDR_WORDS + 1] = port;
  }
}
