// Which sequence numbers every path has already passed: the reorder buffer's loss signal.
//
// Each path (a "lane" here) delivers its datagrams in the order they were sent: quiche sends a
// connection's DATAGRAMs in queue order and a link is a FIFO. So once a lane has delivered
// sequence number s, nothing older than s is still in flight on that lane. When every lane that
// may carry traffic has delivered something past a gap, the gap is not on its way: it was lost
// (on the wire, or refused by a full send queue). Releasing it then costs one path's delivery
// spread instead of the whole hold time, and needs no RTT estimate at all.
//
// "May carry traffic": a lane bound to a path, heard within IDLE_MS. A lane that stayed silent
// while others delivered (a failover backup, a path the scheduler does not use) is not waiting
// for anything, and must not block the rule. After the whole session was silent for IDLE_MS, a
// new burst counts every bound lane as live again: its first packets on a slow lane are still on
// their way while the fast lane already delivers. A lane never heard from since it was bound
// blocks the rule until it is heard or goes idle; then the hold timer decides, as it always can.
// Datagrams on an unknown lane (more paths than lanes) turn the rule off for IDLE_MS.
//
// If a path does reorder its own packets (rare on real links), a gap may be released early: the
// packet then arrives "late" and is still delivered. Pure, no clock of its own, no allocation.

import { seqDiff } from './seq.ts';

/** Lanes the rule tracks; more paths than this to one peer fall back to the hold timer. */
export const MAX_LANES = 8;
/** Silence after which a lane is taken for idle (and a whole silent session for a new burst). */
export const LANE_IDLE_MS = 1000;

export class ReorderLanes {
  private readonly highest = new Float64Array(MAX_LANES);
  private readonly lastAt = new Float64Array(MAX_LANES).fill(Number.NEGATIVE_INFINITY);
  /** Bit i: lane i is bound to a path. */
  private bound = 0;
  /** Bit i: lane i delivered at least one packet since it was bound. */
  private heard = 0;
  private lastAny = Number.NEGATIVE_INFINITY;
  private unknownAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly idleMs = LANE_IDLE_MS) {}

  /** A path was bound to `lane`; it counts as live from `now` (its first packets may be in flight). */
  open(lane: number, now: number): void {
    if (!validLane(lane)) return;
    this.bound |= 1 << lane;
    this.heard &= ~(1 << lane);
    this.lastAt[lane] = now;
  }

  close(lane: number): void {
    if (!validLane(lane)) return;
    this.bound &= ~(1 << lane);
    this.heard &= ~(1 << lane);
  }

  /** A datagram with sequence number `seq` arrived on `lane` (-1: a lane we do not track). */
  saw(lane: number, seq: number, now: number): void {
    if (now - this.lastAny > this.idleMs) {
      for (let i = 0; i < MAX_LANES; i++) if (this.bound & (1 << i)) this.lastAt[i] = now;
    }
    this.lastAny = now;
    if (!validLane(lane) || (this.bound & (1 << lane)) === 0) {
      this.unknownAt = now;
      return;
    }
    const bit = 1 << lane;
    if ((this.heard & bit) === 0 || seqDiff(seq, this.highest[lane] ?? 0) > 0) this.highest[lane] = seq >>> 0;
    this.heard |= bit;
    this.lastAt[lane] = now;
  }

  /**
   * The lowest "highest delivered" sequence number over the live lanes: every sequence number
   * before it that has not arrived is lost. Null when the rule cannot say (no live lane, a live
   * lane not heard yet, or traffic on an untracked lane).
   */
  passed(now: number): number | null {
    if (now - this.unknownAt <= this.idleMs) return null;
    let min: number | null = null;
    for (let i = 0; i < MAX_LANES; i++) {
      const bit = 1 << i;
      if ((this.bound & bit) === 0 || now - (this.lastAt[i] ?? 0) > this.idleMs) continue;
      if ((this.heard & bit) === 0) return null;
      const h = this.highest[i] ?? 0;
      if (min === null || seqDiff(h, min) < 0) min = h;
    }
    return min;
  }
}

/** Lowest lane not in `used` (the lanes of a session's bound paths; -1 entries are ignored);
 *  -1 past MAX_LANES paths (those get the hold timer only). */
export function freeLane(used: Iterable<number>): number {
  let bits = 0;
  for (const l of used) if (validLane(l)) bits |= 1 << l;
  for (let i = 0; i < MAX_LANES; i++) if ((bits & (1 << i)) === 0) return i;
  return -1;
}

function validLane(lane: number): boolean {
  return Number.isInteger(lane) && lane >= 0 && lane < MAX_LANES;
}
