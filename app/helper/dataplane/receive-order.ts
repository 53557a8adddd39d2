// The receive order of one session: delay equalization (delay-line.ts) in front of the reorder
// buffer and its duplicate filter (reorder-buffer.ts). Packets are pool slots; lanes are the
// session's paths (reorder-lanes.ts).
import { type DecodedHeader, FLAG_HAS_SEQ, FLAG_INTERACTIVE, FLAG_SPREAD } from '../../core/encap.ts';
import {
  type DelayedPacket,
  DelayLine,
  equalizingDelayMs,
  MAX_LANES,
  type PathView,
  ReorderBuffer,
  reorderPolicy,
  slowestActiveMinRtt,
} from '../../core/multipath/index.ts';
import type { Millis, PathId } from '../../core/types.ts';

/**
 * Reorder capacity in packets: 2 x 100 Mbit/s of 1420-byte packets is ~17 600 packets/s, and a
 * 50 ms one-way spread holds ~900 of them; 2048 leaves room for queueing on the slow path.
 */
const REORDER_CAPACITY = 2048;
const DEDUP_WINDOW = 16384;

export class ReceiveOrder {
  buffer: ReorderBuffer<number>;
  private readonly line = new DelayLine(MAX_LANES);
  private readonly d: DelayedPacket = { seq: 0, ref: 0, immediate: false, lane: -1 };

  /** `release`: takes back the pool slot of every packet the buffer drops (duplicates). */
  constructor(private readonly release: (slot: number) => void = () => undefined) {
    this.buffer = this.newBuffer();
  }

  private newBuffer(): ReorderBuffer<number> {
    return new ReorderBuffer<number>(REORDER_CAPACITY, 50, DEDUP_WINDOW, this.release);
  }

  /**
   * One arrived packet by its decoded header; `weSpread`: our own strategy spreads flows.
   * Interactive packets are never held behind bulk gaps (only deduplicated): a ping must not wait
   * for a bulk packet still crossing a 600 ms path. Spread packets are evened out only when this
   * end spreads too: a laptop on the latency strategy wants its replies at the fast path's delay
   * even from a gateway that spreads.
   */
  pushArrival(h: DecodedHeader, slot: number, now: Millis, lane: number, weSpread: boolean): void {
    const immediate = (h.flags & FLAG_HAS_SEQ) === 0 || (h.flags & FLAG_INTERACTIVE) !== 0;
    const evenOut = weSpread && (h.flags & (FLAG_SPREAD | FLAG_HAS_SEQ)) === (FLAG_SPREAD | FLAG_HAS_SEQ);
    this.push(h.seq, slot, now, immediate, lane, evenOut);
  }

  /**
   * One arrived packet. `evenOut`: the peer spreads its flow and so do we, so it first waits its
   * lane's equalizing delay. `immediate`: interactive, delivered without waiting for gaps.
   */
  push(seq: number, slot: number, now: Millis, immediate: boolean, lane: number, evenOut: boolean): void {
    const d = this.d;
    this.moveDue(now); // a late timer must not let a newer arrival overtake them
    if (evenOut && this.line.push(lane, seq, slot, immediate, now, d)) {
      if (d.lane >= 0) this.buffer.push(d.seq, d.ref, now, d.immediate, d.lane);
      return;
    }
    this.buffer.push(seq, slot, now, immediate, lane);
  }

  /** The next slot to deliver, or undefined (packets whose wait ended enter the buffer first). */
  poll(now: Millis): number | undefined {
    this.moveDue(now);
    return this.buffer.poll(now);
  }

  /** Packets whose wait is over enter the reorder buffer, in release order. */
  private moveDue(now: Millis): void {
    const d = this.d;
    while (this.line.poll(now, d)) this.buffer.push(d.seq, d.ref, now, d.immediate, d.lane);
  }

  pollTimeout(): Millis | null {
    const a = this.buffer.pollTimeout();
    const b = this.line.pollTimeout();
    if (a === null) return b;
    return b !== null && b < a ? b : a;
  }

  openLane(lane: number, now: Millis): void {
    this.buffer.lanes.open(lane, now);
  }

  /** The lane's path went away: what waits for its delay goes on now, then the lane closes. */
  closeLane(lane: number, now: Millis): void {
    this.line.flush(lane, this.d, (p) => this.buffer.push(p.seq, p.ref, now, p.immediate, p.lane));
    this.line.setDelay(lane, 0);
    this.buffer.lanes.close(lane);
  }

  /** Equalizing wait of a lane, ms. */
  delayOf(lane: number): number {
    return this.line.delayOf(lane);
  }

  /**
   * A new sequence space (the peer's session restarted): held and waiting packets of the old
   * one are dropped and their slots given to `release`.
   */
  reset(now: Millis, lanes: Iterable<number>, release: (slot: number) => void): void {
    const old = this.buffer;
    this.buffer = this.newBuffer();
    for (const l of lanes) this.buffer.lanes.open(l, now);
    const far = (now + 1e9) as Millis;
    for (let s = old.poll(far); s !== undefined; s = old.poll(far)) release(s);
    this.line.flush(-1, this.d, (p) => release(p.ref));
  }

  /** Bypass, hold time and equalizing waits from the paths (`laneOf`: -1 when unbound). */
  update(views: readonly PathView[], laneOf: (id: PathId) => number, now: Millis): void {
    const r = reorderPolicy(views, this.buffer.fillDelayMs(now));
    this.buffer.setBypass(r.bypass);
    this.buffer.setHoldTime(r.holdMs);
    const slowest = slowestActiveMinRtt(views);
    for (const v of views) this.line.setDelay(laneOf(v.id), equalizingDelayMs(v, slowest));
  }
}
