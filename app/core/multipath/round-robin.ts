// Round-robin (seed §8.4.3.1): every packet goes to the next path that can send. Meant for paths
// of similar RTT and bandwidth; it spreads every flow, interactive ones included, packet by
// packet (use latency-aware for stickiness). Bare TCP ACKs and SYNs take the fastest path, as in
// weighted.ts.

import type { Millis, PathId } from '../types.ts';
import { pickFastest } from './latency-aware.ts';
import type { PathView } from './path-view.ts';
import { hasRoom, type PacketInfo, type Scheduler } from './scheduler.ts';

export class RoundRobinScheduler implements Scheduler {
  private cursor = 0;

  pick(pkt: PacketInfo, paths: readonly PathView[], _now: Millis, out: PathId[]): number {
    if (pkt.fastLane) return pickFastest(paths, out);
    const n = paths.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      const p = paths[i] as PathView;
      if (hasRoom(p, pkt)) {
        this.cursor = (i + 1) % n;
        out[0] = p.id;
        return 1;
      }
    }
    return 0;
  }
}
