// A bounded pool of PacketBatches: all memory is allocated up front; acquire() returns null when
// every batch is in use, which is the back-pressure signal (stop reading until one is released).

import { PacketBatch, type PacketBatchOptions } from './packet-batch.ts';

export class BatchPool {
  private readonly free: PacketBatch[] = [];
  private readonly all = new Set<PacketBatch>();

  constructor(
    readonly size: number,
    options: PacketBatchOptions,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('pool size must be a positive integer');
    for (let i = 0; i < size; i++) {
      const b = new PacketBatch(options);
      this.free.push(b);
      this.all.add(b);
    }
  }

  get available(): number {
    return this.free.length;
  }

  /** A reset batch, or null when the pool is exhausted. */
  acquire(): PacketBatch | null {
    const b = this.free.pop();
    if (!b) return null;
    b.reset();
    return b;
  }

  /** Returns a batch; releasing a foreign or already-free batch throws (it would corrupt the bound). */
  release(batch: PacketBatch): void {
    if (!this.all.has(batch)) throw new Error('BatchPool.release: batch does not belong to this pool');
    if (this.free.includes(batch)) throw new Error('BatchPool.release: batch released twice');
    this.free.push(batch);
  }
}
