// Redundant (seed §8.4.3.4): interactive and critical packets are sent `copies` times. The first
// copies go at once on that many distinct paths, lowest RTT first (as many as can send); copies
// left over when there are fewer paths than copies go out later, REDUNDANT_SPACING_MS apart, on the
// fastest path then (spaced-copies.ts, sent by the driver). The receiver keeps the first copy and
// drops the others by sequence number.
//
// Why three copies by default, with two paths: with independent loss p per path a packet is lost
// when every copy is, so two copies lose p^2 each way (5 % per path: 0.25 % one way, 0.5 % for a
// ping's round trip) and three lose p^3 (0.0125 % / 0.025 %). Spacing the extra copy in time is
// what makes it count: two copies in one QUIC packet are lost together, and real losses come in
// bursts. Interactive packets are small and few, so the cost is small; bulk is never duplicated
// (it would halve capacity): it is spread by smooth weighted round-robin, as in the weighted
// scheduler.

import type { Millis, PathId } from '../types.ts';
import { faster } from './latency-aware.ts';
import type { PathView } from './path-view.ts';
import type { PacketInfo, Scheduler } from './scheduler.ts';
import { SmoothWeighted } from './smooth-weighted.ts';

/** Copies of each interactive or critical packet, `[multipath.policies] redundant_copies`. */
export const DEFAULT_REDUNDANT_COPIES = 3;
export const MIN_REDUNDANT_COPIES = 2;
export const MAX_REDUNDANT_COPIES = 4;

export class RedundantScheduler implements Scheduler {
  private readonly swrr = new SmoothWeighted();

  constructor(readonly copies = DEFAULT_REDUNDANT_COPIES) {}

  pick(pkt: PacketInfo, paths: readonly PathView[], _now: Millis, out: PathId[]): number {
    if (pkt.interactive || pkt.critical) return pickFastest(paths, Math.min(this.copies, out.length), out);
    const i = this.swrr.pick(paths);
    if (i < 0) return 0;
    out[0] = (paths[i] as PathView).id;
    return 1;
  }
}

/**
 * Writes up to `max` distinct paths with urgent room into out[], fastest first (faster():
 * answering paths before quiet ones, then by RTT); returns how many. Allocation-free: each round
 * scans the paths not taken yet.
 */
function pickFastest(paths: readonly PathView[], max: number, out: PathId[]): number {
  let n = 0;
  while (n < max) {
    let best = -1;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i] as PathView;
      if (!p.canSendUrgent || taken(out, n, p.id)) continue;
      if (best < 0 || faster(p, paths[best] as PathView)) best = i;
    }
    if (best < 0) break;
    out[n++] = (paths[best] as PathView).id;
  }
  return n;
}

function taken(out: readonly PathId[], n: number, id: PathId): boolean {
  for (let k = 0; k < n; k++) if (out[k] === id) return true;
  return false;
}
