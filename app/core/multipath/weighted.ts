// Weighted (seed §8.4.3.2): long-run shares follow configured weight × capacity estimate, by
// smooth weighted round-robin. Packet-level spreading for every flow; the receiver's reorder
// buffer absorbs the resulting reordering.

import type { Millis, PathId } from '../types.ts';
import type { PathView } from './path-view.ts';
import type { PacketInfo, Scheduler } from './scheduler.ts';
import { SmoothWeighted } from './smooth-weighted.ts';

export class WeightedScheduler implements Scheduler {
  private readonly swrr = new SmoothWeighted();

  pick(pkt: PacketInfo, paths: readonly PathView[], _now: Millis, out: PathId[]): number {
    const i = this.swrr.pick(paths, 0, null, pkt.interactive || pkt.critical);
    if (i < 0) return 0;
    out[0] = (paths[i] as PathView).id;
    return 1;
  }
}
