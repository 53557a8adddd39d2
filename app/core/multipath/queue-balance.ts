// Moves bulk off a path whose bottleneck queue stands above the other paths' (the weighted
// strategy in aggregate mode).
//
// Why: one inner TCP flow over paths of unequal capacity (50 + 20 Mbit/s) runs at the pace of
// the in-order delivery, so with an even split it settles at twice the slow path's rate (measured
// 35.4 Mbit/s of 70, 0 retransmits, split 50/50): the slow path is saturated and keeps a queue,
// the fast one idles, and nothing is ever lost, so a loss-based capacity estimate never forms.
// The queue is the signal: a path whose queueing delay (smoothed RTT - unloaded RTT) exceeds the
// least-queued path's by more than EXCESS_MS gets its share cut to DECREASE x per sample;
// otherwise its share grows back by INCREASE per sample, up to 1. This is an integral
// controller: it settles where the slow path just keeps its queue near EXCESS_MS, i.e. carries
// its capacity, and the rest goes to the paths with room. Comparing with the least-queued path,
// not zero, ignores delay that every path shows (our own processing at high rates).
// Only a path with room takes traffic over: when even the least-queued path keeps more than
// ROOM_MS of queue, every path is saturated (e.g. quiche's cubic filling deep buffers on 10 ms
// and 50 ms paths, whose sawtooth phases differ by 10-20 ms of queue) and cutting by DECREASE
// would only move the queue: no cut then (the queues are evened out gently instead, below).
// Measured on the 10/50 ms pair without this rule: the factors swung 0.15-1 and the laptop
// dropped hundreds of packets per 0.5 s because every path was full (noPathDrops).
// A cut acts only as fast as the path's queue drains (one sample may not show it), so a path whose
// queue is already falling keeps its factor: no second cut while the first is still draining it,
// and no regrowth either. Cutting every sample until the queue was gone overshot: over 10 ms and
// 50 ms paths of 100 Mbit/s the factors swung between 0.2 and 1 (0.15 with 150 ms tbf buffers)
// and the traffic sloshed from one path to the other every 0.2-0.4 s (70-110 Mbit/s per path;
// with both factors left at 1 it stayed at 90-99 on each). One TCP
// flow (iperf3, 8 s, 12 runs each, alternating blocks of 4): 174.0 Mbit/s mean (169.8-176.3)
// cutting every sample, 175.3 (172.9-179.9) with this hold; 50 + 20 Mbit/s paths unchanged
// (61.3 against 61.5, 3 runs each).
// A path counts as having room only when it has had it for ROOM_SAMPLES samples in a row: a queue
// that touches empty for one sample while the traffic swings between the paths is no spare
// capacity, and cutting the other path for it started the next swing.
// When every path holds a queue (all saturated), the queues are evened out gently instead: each
// path's factor moves by exp(-EQUALIZE_GAIN x (its queue - the mean queue) / 50 ms) per sample
// (x0.96 relative per sample for two queues 10 ms either side of the mean; the regrowth of cut
// factors takes back about half of that), then the factors are scaled so the largest is 1.
// Why: one inner TCP flow (BBR) keeps about one BDP of its own in flight beyond the paths' pipe;
// over 10 ms + 50 ms paths of 100 Mbit/s that is 60-100 ms of queue in all, which fits in the
// two bottleneck buffers (50 ms each) only when it is split evenly. Unevened, with the factors at
// 1 for seconds, one queue stood at 46-50 ms (dropping) while the other was at 5-30. Measured
// (iperf3 8 s, alternating blocks of 4 runs): 175.9 Mbit/s mean (173.7-178.1; after the first
// 2 s 178.2-185.8) with the one-cut rule alone; as written 178.4 (174.7-180.5; after 2 s
// 182.7-185.6). Applied also while a path has room it read 178.7 (177.1-179.9), but it cost the
// 50 + 20 Mbit/s case, where the slow path's queue reads 2-7 ms, 1-2 Mbit/s (57.4-61.8 against
// 60.4-61.8); as written that case is unchanged (60.3 / 61.6 / 61.8).
// Pure; called once per transport sample (100 ms in the helper).

import type { PathId } from '../types.ts';

/** Queueing delay above the least-queued path that counts as "this path is full", ms. */
export const BALANCE_EXCESS_MS = 3;
/** A path whose queueing delay is below this has room for more traffic, ms. */
export const BALANCE_ROOM_MS = 2;
/**
 * Share factor kept per sample while a path's queue stands above the others', and regained per
 * sample otherwise (0.1 -> 1 in 4.5 s at 100 ms samples). Fast down, slow up: one flow over
 * 50 + 20 Mbit/s paths (8 s runs) got 40.0-49.5 Mbit/s with 0.85 / 0.05 (1-2 s to converge,
 * then hovering), 55.9 / 59.0 / 56.6 with 0.7 / 0.02; 0.6 / 0.02 and 0.7 / 0.03 were no better.
 */
const DECREASE = 0.7;
const INCREASE = 0.02;
/** Floor: a path keeps 10 % of its share, so its RTT stays fresh and a recovery shows. */
const MIN_FACTOR = 0.1;
/** A queue lower than the previous sample's by more than this (ms) is draining: hold. */
const DRAINING_MS = 1;
/** Samples in a row the least-queued path must have room before others are cut for it. */
const ROOM_SAMPLES = 2;
/** Evening out of saturated paths' queues: log-factor change per 50 ms off the mean queue. */
const EQUALIZE_GAIN = 0.1;
const EQUALIZE_SCALE_MS = 50;

export class QueueBalance {
  private readonly factors = new Map<PathId, number>();
  /** Each path's queueing delay at its previous known sample, ms. */
  private readonly previous = new Map<PathId, number>();
  /** Samples in a row in which the least-queued path had room. */
  private roomRun = 0;

  /**
   * One round of samples: every current path's queueing delay in ms (NaN while unknown, or
   * stale: nothing was acked since the last round). Paths missing from `queues` are forgotten.
   */
  update(queues: ReadonlyMap<PathId, number>): void {
    let least = Number.POSITIVE_INFINITY;
    for (const q of queues.values()) if (Number.isFinite(q)) least = Math.min(least, Math.max(0, q));
    for (const id of this.factors.keys()) if (!queues.has(id)) this.factors.delete(id);
    for (const id of this.previous.keys()) if (!queues.has(id)) this.previous.delete(id);
    this.roomRun = least < BALANCE_ROOM_MS ? this.roomRun + 1 : 0;
    for (const [id, q] of queues) {
      const f = this.factors.get(id) ?? 1;
      const full = this.roomRun >= ROOM_SAMPLES && Number.isFinite(q) && q - least > BALANCE_EXCESS_MS;
      const before = this.previous.get(id);
      if (Number.isFinite(q)) this.previous.set(id, q);
      if (full && before !== undefined && q < before - DRAINING_MS) continue;
      this.factors.set(id, full ? Math.max(MIN_FACTOR, f * DECREASE) : Math.min(1, f + INCREASE));
    }
    if (Number.isFinite(least) && least >= BALANCE_ROOM_MS) this.equalize(queues);
  }

  /** Every path holds a queue: moves share from the deeper queues to the shallower ones. */
  private equalize(queues: ReadonlyMap<PathId, number>): void {
    let sum = 0;
    let n = 0;
    for (const q of queues.values()) {
      if (!Number.isFinite(q)) continue;
      sum += q;
      n++;
    }
    if (n < 2) return;
    const mean = sum / n;
    let top = 0;
    for (const [id, q] of queues) {
      let f = this.factors.get(id) ?? 1;
      const off = q - mean;
      if (Number.isFinite(q) && Math.abs(off) > BALANCE_EXCESS_MS)
        f *= Math.exp((-EQUALIZE_GAIN * off) / EQUALIZE_SCALE_MS);
      this.factors.set(id, f);
      top = Math.max(top, f);
    }
    for (const [id, f] of this.factors) this.factors.set(id, Math.max(MIN_FACTOR, f / top));
  }

  /** Share factor of a path, (0, 1]; 1 for a path never seen. */
  factorOf(id: PathId): number {
    return this.factors.get(id) ?? 1;
  }
}
