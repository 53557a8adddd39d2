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
// and 50 ms paths, whose sawtooth phases differ by 10-20 ms of queue) and shifting traffic
// would only move the queue; shares then grow back. Measured on the 10/50 ms pair without this
// rule: the factors swung 0.15-1 and the laptop dropped hundreds of packets per 0.5 s because
// every path was full (noPathDrops).
// A cut acts only as fast as the path's queue drains (one sample may not show it), so a path whose
// queue is already falling keeps its factor: no second cut while the first is still draining it,
// and no regrowth either. Cutting every sample until the queue was gone overshot: over 10 ms and
// 50 ms paths of 100 Mbit/s the factors swung between 0.2 and 1 (0.15 with 150 ms tbf buffers)
// and the traffic sloshed from one path to the other every 0.2-0.4 s (70-110 Mbit/s per path;
// with both factors left at 1 it stayed at 90-99 on each). One TCP
// flow (iperf3, 8 s, 12 runs each, alternating blocks of 4): 174.0 Mbit/s mean (169.8-176.3)
// cutting every sample, 175.3 (172.9-179.9) with this hold; 50 + 20 Mbit/s paths unchanged
// (61.3 against 61.5, 3 runs each).
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

export class QueueBalance {
  private readonly factors = new Map<PathId, number>();
  /** Each path's queueing delay at its previous known sample, ms. */
  private readonly previous = new Map<PathId, number>();

  /**
   * One round of samples: every current path's queueing delay in ms (NaN while unknown, or
   * stale: nothing was acked since the last round). Paths missing from `queues` are forgotten.
   */
  update(queues: ReadonlyMap<PathId, number>): void {
    let least = Number.POSITIVE_INFINITY;
    for (const q of queues.values()) if (Number.isFinite(q)) least = Math.min(least, Math.max(0, q));
    for (const id of this.factors.keys()) if (!queues.has(id)) this.factors.delete(id);
    for (const id of this.previous.keys()) if (!queues.has(id)) this.previous.delete(id);
    for (const [id, q] of queues) {
      const f = this.factors.get(id) ?? 1;
      const full = least < BALANCE_ROOM_MS && Number.isFinite(q) && q - least > BALANCE_EXCESS_MS;
      const before = this.previous.get(id);
      if (Number.isFinite(q)) this.previous.set(id, q);
      if (full && before !== undefined && q < before - DRAINING_MS) continue;
      this.factors.set(id, full ? Math.max(MIN_FACTOR, f * DECREASE) : Math.min(1, f + INCREASE));
    }
  }

  /** Share factor of a path, (0, 1]; 1 for a path never seen. */
  factorOf(id: PathId): number {
    return this.factors.get(id) ?? 1;
  }
}
