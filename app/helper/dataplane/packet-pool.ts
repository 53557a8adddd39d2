// Fixed pool of packet slots for packets that must outlive one batch: those the reorder buffer
// holds. Allocated once; store() returns -1 when empty, which the caller treats as overload: the
// packet is dropped, and counted here (`exhausted`, the helper's poolExhausted counter). Every
// slot handed out must come back through release(), also for packets dropped later (duplicates).
// Slots keep HEADROOM free bytes in front of the packet so a forwarded packet can get its
// encapsulation header in place.
export const POOL_HEADROOM = 16;

export class PacketPool {
  readonly slab: Buffer;
  readonly lens: Uint32Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** store() calls refused because no slot was free. */
  exhausted = 0;

  constructor(
    readonly capacity: number,
    readonly slotSize: number,
  ) {
    this.slab = Buffer.allocUnsafeSlow(capacity * slotSize);
    this.lens = new Uint32Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  get available(): number {
    return this.freeTop;
  }

  /** Offset of slot i's packet bytes in the slab. */
  offset(i: number): number {
    return i * this.slotSize + POOL_HEADROOM;
  }

  /** Copies buf[off, off+len) into a free slot; returns the slot or -1 (empty pool, or too big). */
  store(buf: Uint8Array, off: number, len: number): number {
    if (len > this.slotSize - POOL_HEADROOM) return -1;
    const i = this.claim();
    if (i < 0) return -1;
    this.slab.set(off === 0 && len === buf.length ? buf : buf.subarray(off, off + len), this.offset(i));
    this.lens[i] = len;
    return i;
  }

  /** A free slot for the caller to fill (the slab at offset(i); it sets lens[i]), or -1. */
  claim(): number {
    if (this.freeTop === 0) {
      this.exhausted++;
      return -1;
    }
    return this.free[--this.freeTop] as number;
  }

  release(i: number): void {
    this.free[this.freeTop++] = i;
  }
}
