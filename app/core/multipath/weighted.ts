// Weighted (seed §8.4.3.2): long-run shares follow configured weight × capacity estimate, by
// smooth weighted round-robin. Packet-level spreading for every flow; the receiver's reorder
// buffer absorbs the resulting reordering.
//
// Except bare TCP ACKs: they take the lowest-RTT path with room and are not marked spread, so the
// receiver does not even them out. A spread ACK took the slow path's delay (evened out) and
// became the flow's RTT: one TCP flow over 10 + 50 ms paths ran on a 50+ ms inner RTT where
// MPTCP's subflows see 10 and 50. ACKs are cumulative, so one on the fast path is never held up
// by one on the slow path, and the data they acknowledge is still evened out. Measured with BBR
// inside (bench aggregate-rtt, alternating runs): 160.4 / 159.9 and 153.3 / 159.6 Mbit/s before,
// 166.8 / 169.5 and 170.2 / 175.7 after; 2 x 100 and 50 + 20 Mbit/s unchanged.
//
// A SYN without ACK goes the same way: it opens its connection, so nothing of the flow is ahead
// of it. The SYN-ACK is spread and evened out like data, so each end's first RTT sample is one
// evened-out and one fast crossing, as in the steady state (a fast SYN-ACK would give the
// gateway's end of a download a 10 ms minimum RTT: delay-line.ts). A TCP connect over 10 + 50 ms
// paths took 54.6 ms (median of 30) with the SYN evened out, 34.3 ms without. FIN, RST and data
// however small keep their place in the flow (flow.ts).

import type { Millis, PathId } from '../types.ts';
import { pickFastest } from './latency-aware.ts';
import type { PathView } from './path-view.ts';
import type { PacketInfo, Scheduler } from './scheduler.ts';
import { SmoothWeighted } from './smooth-weighted.ts';

export class WeightedScheduler implements Scheduler {
  private readonly swrr = new SmoothWeighted();

  pick(pkt: PacketInfo, paths: readonly PathView[], _now: Millis, out: PathId[]): number {
    if (pkt.fastLane) return pickFastest(paths, out);
    const i = this.swrr.pick(paths, 0, null, pkt.interactive || pkt.critical);
    if (i < 0) return 0;
    out[0] = (paths[i] as PathView).id;
    return 1;
  }
}
