// Redundant (seed §8.4.3.4): interactive and critical packets are sent twice, on the two
// lowest-RTT paths that can send (one copy if only one can), so a loss or a delay spike on one
// path costs nothing; the receiver drops the later copy by sequence number. With independent
// 5 % loss per path, a packet is lost only when both copies are: 0.25 %. Bulk is spread by smooth
// weighted round-robin, as in the weighted scheduler: duplicating bulk would halve capacity.

import type { Millis, PathId } from '../types.ts';
import { lowestRtt } from './latency-aware.ts';
import type { PathView } from './path-view.ts';
import type { PacketInfo, Scheduler } from './scheduler.ts';
import { SmoothWeighted } from './smooth-weighted.ts';

export class RedundantScheduler implements Scheduler {
  private readonly swrr = new SmoothWeighted();

  pick(pkt: PacketInfo, paths: readonly PathView[], _now: Millis, out: PathId[]): number {
    if (pkt.interactive || pkt.critical) {
      const a = lowestRtt(paths, true);
      if (a < 0) return 0;
      out[0] = (paths[a] as PathView).id;
      const b = lowestRtt(paths, true, a);
      if (b < 0) return 1;
      out[1] = (paths[b] as PathView).id;
      return 2;
    }
    const i = this.swrr.pick(paths);
    if (i < 0) return 0;
    out[0] = (paths[i] as PathView).id;
    return 1;
  }
}
