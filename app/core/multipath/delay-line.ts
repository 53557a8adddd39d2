// Receiver-side delay equalization for flows the sender spreads over paths of different delay
// (FLAG_SPREAD): a packet that came on a faster path waits here for the difference between the
// slowest path's one-way delay and its own, and then enters the reorder buffer. Every packet of a
// spread flow then takes about the same time end to end, whichever path it took.
//
// Why: the reorder buffer already makes most packets wait for the slowest path (a packet is held
// until the one before it, still on the slow path, arrives), but not all: one sent when nothing
// was in flight on the slow path (a TCP handshake, the first packets of a flow, a moment the slow
// path's window was full) is delivered at the fast path's delay. A delay-based inner congestion
// control takes that as the flow's minimum RTT and caps its window at about twice the bandwidth
// × that RTT, while the bulk of its packets takes the slow path's RTT. Measured with Linux BBR
// inside one TCP flow over 10 ms + 50 ms paths of 100 Mbit/s (`ss -ti`): minrtt 11.4 ms, rtt
// 31.8 ms, cwnd-limited at 368 packets; runs decayed from 170 to 46 Mbit/s with no loss.
//
// Per lane (reorder-lanes.ts: one per path) a FIFO of packets with their release time; the delay
// of a lane changes slowly (it follows the paths' unloaded RTTs), so release times within a lane
// stay in order, and a lane whose release time would go backwards keeps the later one. Bounded:
// a full lane releases its oldest packet early. Refs are opaque numbers (pool slots).
// Pure; the caller passes `now`.

import type { Millis } from '../types.ts';
import type { PathView } from './path-view.ts';

/** Longest wait added to a packet, ms: past this a path is too slow to be worth evening out. */
export const MAX_EQUALIZE_MS = 100;
/** Below this a lane's delay is not worth a timer, ms. */
export const MIN_EQUALIZE_MS = 1;

/** What a released packet carries back to the caller. */
export interface DelayedPacket {
  seq: number;
  ref: number;
  immediate: boolean;
  lane: number;
}

class LaneFifo {
  readonly seq: Uint32Array;
  readonly ref: Float64Array;
  readonly due: Float64Array;
  readonly immediate: Uint8Array;
  head = 0;
  size = 0;
  lastDue = Number.NEGATIVE_INFINITY;

  constructor(readonly capacity: number) {
    this.seq = new Uint32Array(capacity);
    this.ref = new Float64Array(capacity);
    this.due = new Float64Array(capacity);
    this.immediate = new Uint8Array(capacity);
  }
}

export class DelayLine {
  private readonly lanes: (LaneFifo | undefined)[] = [];
  private readonly delays: number[] = [];
  private count = 0;

  /** `capacity`: packets held per lane at most. */
  constructor(
    private readonly maxLanes: number,
    private readonly capacity = 2048,
  ) {}

  /** Packets waiting in all lanes. */
  get held(): number {
    return this.count;
  }

  /** Sets the wait of one lane, ms (clamped to [0, MAX_EQUALIZE_MS]; below MIN_EQUALIZE_MS: 0). */
  setDelay(lane: number, ms: number): void {
    if (lane < 0 || lane >= this.maxLanes) return;
    const d = Number.isFinite(ms) ? Math.min(MAX_EQUALIZE_MS, Math.max(0, ms)) : 0;
    this.delays[lane] = d < MIN_EQUALIZE_MS ? 0 : d;
  }

  delayOf(lane: number): number {
    return this.delays[lane] ?? 0;
  }

  /**
   * Takes a packet if its lane has a delay; false when it should go straight on (no delay).
   * When the lane is full its oldest packet is released early into `overflow`.
   */
  push(
    lane: number,
    seq: number,
    ref: number,
    immediate: boolean,
    now: Millis,
    overflow: DelayedPacket,
  ): boolean {
    const d = this.delayOf(lane);
    if (d === 0 || lane < 0) return false;
    let f = this.lanes[lane];
    if (!f) {
      f = new LaneFifo(this.capacity);
      this.lanes[lane] = f;
    }
    if (f.size === f.capacity) {
      this.takeHead(f, lane, overflow);
      overflow.lane = lane;
    } else overflow.lane = -1;
    const i = (f.head + f.size) % f.capacity;
    const due = Math.max(now + d, f.lastDue);
    f.seq[i] = seq >>> 0;
    f.ref[i] = ref;
    f.due[i] = due;
    f.immediate[i] = immediate ? 1 : 0;
    f.lastDue = due;
    f.size++;
    this.count++;
    return true;
  }

  /** Releases the earliest packet due at or before `now` into `out`; false when none is due. */
  poll(now: Millis, out: DelayedPacket): boolean {
    if (this.count === 0) return false; // the common case: called once per delivered packet
    let best = -1;
    let bestDue = Number.POSITIVE_INFINITY;
    for (let l = 0; l < this.lanes.length; l++) {
      const f = this.lanes[l];
      if (!f || f.size === 0) continue;
      const due = f.due[f.head] as number;
      if (due <= now && due < bestDue) {
        bestDue = due;
        best = l;
      }
    }
    if (best < 0) return false;
    this.takeHead(this.lanes[best] as LaneFifo, best, out);
    return true;
  }

  /** Earliest release time, or null when nothing waits. */
  pollTimeout(): Millis | null {
    if (this.count === 0) return null;
    let t = Number.POSITIVE_INFINITY;
    for (const f of this.lanes) if (f && f.size > 0) t = Math.min(t, f.due[f.head] as number);
    return Number.isFinite(t) ? (t as Millis) : null;
  }

  /** Releases everything of one lane (its path went away) or of all lanes (lane < 0), in order. */
  flush(lane: number, out: DelayedPacket, each: (p: DelayedPacket) => void): void {
    for (let l = 0; l < this.lanes.length; l++) {
      if (lane >= 0 && l !== lane) continue;
      const f = this.lanes[l];
      while (f && f.size > 0) {
        this.takeHead(f, l, out);
        each(out);
      }
    }
  }

  private takeHead(f: LaneFifo, lane: number, out: DelayedPacket): void {
    const i = f.head;
    out.seq = f.seq[i] as number;
    out.ref = f.ref[i] as number;
    out.immediate = f.immediate[i] === 1;
    out.lane = lane;
    f.head = (f.head + 1) % f.capacity;
    f.size--;
    this.count--;
  }
}

/** Unloaded RTT of the slowest Active path (ms), or NaN when none is known. */
export function slowestActiveMinRtt(views: readonly PathView[]): number {
  let hi = Number.NaN;
  for (const v of views)
    if (v.state === 'active' && Number.isFinite(v.minRttMs) && !(v.minRttMs <= hi)) hi = v.minRttMs;
  return hi;
}

/**
 * How long a packet that came on `v` waits so that it arrives with the slowest path's packets:
 * half the difference of the unloaded RTTs (one-way delay taken as half the RTT), ms. 0 for a
 * path that is not Active or whose RTT is unknown.
 */
export function equalizingDelayMs(v: PathView, slowestMinRttMs: number): number {
  if (v.state !== 'active' || !Number.isFinite(v.minRttMs) || !Number.isFinite(slowestMinRttMs)) return 0;
  return Math.max(0, (slowestMinRttMs - v.minRttMs) / 2);
}
