// Per-path bandwidth: a capacity estimate for the schedulers and a throughput figure for users.
//
// Capacity is the windowed maximum of delivery-rate samples (quiche's deliveryRate and our own
// acked bytes / time), but only of samples taken while the path was SATURATED: its congestion
// window was full and it lost packets in the same interval. A sample taken while the path was
// app-limited measures how much we chose to send, not what the path can carry; feeding those to
// a "weight × bandwidth" scheduler is a positive feedback loop (the path that gets more traffic
// measures faster, so it gets even more) that starves the other paths. Until a path has been
// saturated its capacity is unknown (0) and the schedulers treat it optimistically; pushing more
// traffic onto it is exactly what measures it.
//
// Throughput is an EWMA of acked bytes / time, whatever the cause: what users see on the graph.

import type { Millis } from '../types.ts';
import { WindowedFilter } from './windowed-filter.ts';

export class BandwidthEstimator {
  private readonly capacity: WindowedFilter;
  /** EWMA of acked bytes per second. */
  throughput = 0;
  private ackedBytes = 0;
  private intervalStart = Number.NaN;
  private lastSaturatedAt = Number.NEGATIVE_INFINITY;

  constructor(
    windowMs: number,
    private readonly intervalMinMs: number,
    private readonly gain: number,
  ) {
    this.capacity = new WindowedFilter('max', windowMs);
  }

  /** Capacity estimate in bytes per second; 0 while unknown. */
  get bandwidth(): number {
    const v = this.capacity.value;
    return Number.isNaN(v) ? 0 : v;
  }

  /**
   * A delivery-rate sample (bytes/s) from the transport's stats. `saturated`: the path was
   * window-limited and lossy since the previous stats.
   */
  addDeliveryRate(rate: number, saturated: boolean, now: Millis): void {
    if (saturated) this.lastSaturatedAt = now;
    if (saturated && rate > 0) this.capacity.update(rate, now);
  }

  /** Bytes of our traffic acknowledged on the path at `now`. */
  onAcked(bytes: number, now: Millis): void {
    if (Number.isNaN(this.intervalStart)) {
      this.intervalStart = now;
      this.ackedBytes = 0;
      return;
    }
    this.ackedBytes += bytes;
    const elapsed = now - this.intervalStart;
    if (elapsed < this.intervalMinMs) return;
    const rate = (this.ackedBytes * 1000) / elapsed;
    this.throughput = this.throughput === 0 ? rate : this.throughput + this.gain * (rate - this.throughput);
    if (this.lastSaturatedAt >= this.intervalStart) this.capacity.update(rate, now);
    this.intervalStart = now;
    this.ackedBytes = 0;
  }

  /** Nothing acked for a while: the throughput figure decays instead of freezing at its last value. */
  onIdle(now: Millis): void {
    if (Number.isNaN(this.intervalStart) || now - this.intervalStart < this.intervalMinMs) return;
    const rate = (this.ackedBytes * 1000) / (now - this.intervalStart);
    this.throughput += this.gain * (rate - this.throughput);
    if (this.throughput < 1) this.throughput = 0;
    this.intervalStart = now;
    this.ackedBytes = 0;
  }
}
