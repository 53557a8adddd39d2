// Receiver-side reorder buffer of one session (seed §8.4.4), which is also the duplicate filter
// of redundant mode.
//
// Keyed by the per-session sequence number (encap header, uint32, wraps), not per flow: the
// sender numbers every datagram of the session in one sequence across all paths, so a gap in it
// is exactly "a packet still on a slower path". One session-wide window is one fixed-size
// structure (per-flow buffers would need per-flow state for an unbounded number of flows), and
// the head-of-line cost across flows is bounded by the hold time, which is the same delay a
// per-flow buffer would add in the common case (reordering comes from path RTT spread, not from
// flows).
//
// Bounds: at most `capacity` packets are held (a packet further ahead forces the oldest gaps to
// be skipped), and no packet is held longer than `holdMs` (the caller sets it from the paths' RTT
// spread and from fillDelayMs(), how long recent gaps actually took to fill: reorder-policy.ts).
// A gap that every live path has already delivered past is a loss and is released at once
// (`lanes`, reorder-lanes.ts): losses cost the paths' delivery spread, not the hold time. A
// packet that arrives after its gap was skipped is LATE: it is delivered at once, not dropped
// (it is IP; TCP copes with reordering better than with loss). A packet whose sequence number
// was already delivered is a DUPLICATE and is dropped.
//
// Interactive packets (FLAG_INTERACTIVE) are pushed with `immediate`: they are delivered at once
// and only deduplicated. Their flow is pinned to one path by the scheduler, so they are not
// reordered by the path spread, and holding them behind a bulk packet that is still on a 600 ms
// satellite path would cost exactly the latency the latency-aware scheduler saved. Their sequence
// number is remembered, so the window later passes over it without counting a gap.
//
// Refs are opaque (T): the helper keeps its buffers in its pool and passes handles. Call order:
// push(), then poll() until it returns undefined; arm a timer for pollTimeout(); when it fires,
// poll() again. No allocation per packet.

import type { Millis } from '../types.ts';
import { ReorderLanes } from './reorder-lanes.ts';
import { seqDiff } from './seq.ts';

export interface ReorderCounters {
  /** Packets handed out by poll(). */
  delivered: number;
  /** Packets that arrived after a higher sequence number (filled a gap in time). */
  reordered: number;
  /** Packets that arrived after their gap had been skipped; delivered out of order. */
  late: number;
  /** Second copies (redundant mode, or network duplicates); dropped. */
  duplicates: number;
  /** Sequence numbers given up on (never arrived within the hold time or the capacity). */
  gapsSkipped: number;
  /** Releases forced by the hold time. */
  timeoutReleases: number;
  /** Releases forced by the capacity. */
  overflowReleases: number;
  /** Releases because every live path had delivered past the gap (reorder-lanes.ts): losses. */
  lossReleases: number;
  /** Packets dropped because the caller did not poll and the ready queue was full. */
  readyOverflow: number;
  /** Highest number of packets held at once. */
  maxHeld: number;
}

export { seqDiff };

/** Bucket of the fill-delay maximum: the hold time follows a change within 2-4 s. */
const DELAY_WINDOW_MS = 2000;

export class ReorderBuffer<T> {
  readonly counters: ReorderCounters = {
    delivered: 0,
    reordered: 0,
    late: 0,
    duplicates: 0,
    gapsSkipped: 0,
    timeoutReleases: 0,
    overflowReleases: 0,
    lossReleases: 0,
    readyOverflow: 0,
    maxHeld: 0,
  };
  private readonly mask: number;
  private readonly slots: (T | undefined)[];
  private readonly slotSeq: Float64Array;
  /** 1 = the slot's packet was delivered immediately; the window only has to pass over it. */
  private readonly slotDone: Uint8Array;
  /** Arrival order of held packets (seq, time); entries of released packets are skipped lazily. */
  private readonly fifoSeq: Float64Array;
  private readonly fifoAt: Float64Array;
  private fifoHead = 0;
  private fifoCount = 0;
  /** 1 = delivered, for the `dedupWindow` sequence numbers behind `next`. */
  private readonly seen: Uint8Array;
  private readonly ready: (T | undefined)[];
  private readyHead = 0;
  private readyCount = 0;
  private started = false;
  private next = 0;
  private highest = 0;
  private heldCount = 0;
  private bypass = false;
  /** Per-path progress: the loss signal that releases a gap before its hold time. */
  readonly lanes = new ReorderLanes();
  /** Windowed maximum of how long gaps took to fill (two buckets of DELAY_WINDOW_MS). */
  private delayCur = 0;
  private delayPrev = 0;
  private delayBucketAt = Number.NEGATIVE_INFINITY;
  private lastExpireAt = Number.NEGATIVE_INFINITY;

  /**
   * `capacity`: packets held at most (power of two). `holdMs`: longest hold. `dedupWindow`:
   * how far behind the window a duplicate is still recognised (power of two; 16384 covers
   * 160 ms of RTT spread at 100 kpps). `dropped`: gets every packet the buffer throws away (a
   * duplicate, or a ready-queue overflow), so a caller whose refs are resources (the helper: packet
   * pool slots) can return them; without it each dropped copy kept its slot for good.
   */
  constructor(
    readonly capacity = 256,
    private holdMs = 50,
    readonly dedupWindow = 16384,
    private readonly dropped: (ref: T) => void = () => undefined,
  ) {
    if (!isPow2(capacity) || !isPow2(dedupWindow) || dedupWindow < capacity) {
      throw new RangeError('capacity and dedupWindow must be powers of two, dedupWindow >= capacity');
    }
    this.mask = capacity - 1;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
    this.slotSeq = new Float64Array(capacity).fill(-1);
    this.slotDone = new Uint8Array(capacity);
    this.fifoSeq = new Float64Array(2 * capacity);
    this.fifoAt = new Float64Array(2 * capacity);
    this.seen = new Uint8Array(dedupWindow);
    this.ready = new Array<T | undefined>(2 * capacity + 64).fill(undefined);
  }

  /** Packets currently held back waiting for a gap. */
  get held(): number {
    return this.heldCount;
  }

  get holdTimeMs(): number {
    return this.holdMs;
  }

  /** Longest time a packet may wait for a gap: RTT spread of the active paths + a margin. */
  setHoldTime(ms: number): void {
    this.holdMs = Math.max(0, ms);
  }

  /**
   * Bypass when a single path is active: reordering beyond QUIC's own cannot happen, so
   * packets are delivered as they come, still deduplicated. Turning it on releases what is held.
   */
  setBypass(on: boolean): void {
    if (on && !this.bypass && this.started && this.heldCount > 0) {
      this.releaseThrough((this.highest >>> 0) as number);
    }
    this.bypass = on;
  }

  /**
   * Accepts one arrived packet. `immediate`: deliver now, only deduplicate (interactive).
   * `lane`: the path it came on (see ReorderLanes; -1 when unknown).
   */
  push(seq: number, ref: T, now: Millis, immediate = false, lane = -1): void {
    seq >>>= 0;
    if (!this.started) {
      this.started = true;
      this.next = seq;
      this.highest = seq;
    }
    this.lanes.saw(lane, seq, now);
    this.accept(seq, ref, now, immediate);
    if (this.heldCount > 0 && !this.bypass) this.releasePassed(now);
  }

  /**
   * How long recent gaps took to fill (windowed max, ms): the hold time that would have covered
   * them. A packet that came after its gap was given up on counts with the time it missed by.
   */
  fillDelayMs(now: Millis): number {
    this.rotateDelay(now);
    return Math.max(this.delayCur, this.delayPrev);
  }

  private accept(seq: number, ref: T, now: Millis, immediate: boolean): void {
    let d = seqDiff(seq, this.next);
    if (d < 0) {
      if (-d <= this.dedupWindow && this.seen[seq & (this.dedupWindow - 1)] === 1) {
        this.counters.duplicates++;
        this.dropped(ref);
      } else {
        if (!immediate) {
          this.counters.late++;
          if (now - this.lastExpireAt < DELAY_WINDOW_MS)
            this.sampleDelay(now, this.holdMs + now - this.lastExpireAt);
        }
        if (-d <= this.dedupWindow) this.seen[seq & (this.dedupWindow - 1)] = 1;
        this.enqueueReady(ref);
      }
      return;
    }
    if (d > 0 && this.slotSeq[seq & this.mask] === seq) {
      this.counters.duplicates++;
      this.dropped(ref);
      return;
    }
    if (seqDiff(seq, this.highest) < 0) this.counters.reordered++;
    else this.highest = seq;
    if (this.bypass) {
      // Everything between next and seq is passed over now; a later arrival of it is late.
      this.passOver(seq);
      this.deliver(seq, ref);
      return;
    }
    if (d >= this.capacity) {
      this.counters.overflowReleases++;
      this.releaseThrough((seq - this.capacity) >>> 0);
      d = seqDiff(seq, this.next);
    }
    if (d === 0) {
      if (this.heldCount > 0) {
        this.dropStaleFifo();
        if (this.fifoCount > 0) this.sampleDelay(now, now - (this.fifoAt[this.fifoHead] ?? now));
      }
      this.deliver(seq, ref);
      this.drainRun();
      return;
    }
    const i = seq & this.mask;
    this.slotSeq[i] = seq;
    if (immediate) {
      this.slotDone[i] = 1;
      this.seen[seq & (this.dedupWindow - 1)] = 1;
      this.enqueueReady(ref);
      return;
    }
    this.slotDone[i] = 0;
    this.slots[i] = ref;
    this.heldCount++;
    if (this.heldCount > this.counters.maxHeld) this.counters.maxHeld = this.heldCount;
    if (this.fifoCount === this.fifoSeq.length) this.expireHead();
    const f = (this.fifoHead + this.fifoCount) % this.fifoSeq.length;
    this.fifoSeq[f] = seq;
    this.fifoAt[f] = now;
    this.fifoCount++;
  }

  /** Next packet ready for delivery, in order; undefined when none is ready at `now`. */
  poll(now: Millis): T | undefined {
    if (this.readyCount === 0) this.releaseExpired(now);
    if (this.readyCount === 0) return undefined;
    const ref = this.ready[this.readyHead];
    this.ready[this.readyHead] = undefined;
    this.readyHead = (this.readyHead + 1) % this.ready.length;
    this.readyCount--;
    this.counters.delivered++;
    return ref;
  }

  /** When a held packet's hold time runs out, or null when nothing is held. */
  pollTimeout(): Millis | null {
    this.dropStaleFifo();
    if (this.fifoCount === 0) return null;
    return ((this.fifoAt[this.fifoHead] ?? 0) + this.holdMs) as Millis;
  }

  // ---- internals ---------------------------------------------------------------------------

  private releaseExpired(now: Millis): void {
    for (;;) {
      this.dropStaleFifo();
      if (this.fifoCount === 0 || (this.fifoAt[this.fifoHead] ?? 0) + this.holdMs > now) return;
      this.counters.timeoutReleases++;
      this.lastExpireAt = now;
      this.expireHead();
    }
  }

  /** Every live path delivered past the gaps before `p`: they are lost, release up to `p`. */
  private releasePassed(now: Millis): void {
    const p = this.lanes.passed(now);
    if (p === null || seqDiff(p, this.next) <= 0) return;
    this.counters.lossReleases++;
    this.releaseThrough((p - 1) >>> 0);
  }

  private sampleDelay(now: Millis, ms: number): void {
    this.rotateDelay(now);
    if (ms > this.delayCur) this.delayCur = ms;
  }

  private rotateDelay(now: Millis): void {
    if (now - this.delayBucketAt < DELAY_WINDOW_MS) return;
    this.delayPrev = now - this.delayBucketAt < 2 * DELAY_WINDOW_MS ? this.delayCur : 0;
    this.delayCur = 0;
    this.delayBucketAt = now;
  }

  /** Releases everything up to the oldest-arrived held packet, skipping the gaps before it. */
  private expireHead(): void {
    this.dropStaleFifo();
    if (this.fifoCount === 0) return;
    const seq = this.fifoSeq[this.fifoHead] ?? 0;
    this.releaseThrough(seq);
  }

  private dropStaleFifo(): void {
    while (this.fifoCount > 0) {
      const seq = this.fifoSeq[this.fifoHead] ?? 0;
      const i = seq & this.mask;
      if (this.slotSeq[i] === seq && this.slotDone[i] === 0) return;
      this.fifoHead = (this.fifoHead + 1) % this.fifoSeq.length;
      this.fifoCount--;
    }
  }

  /** Moves `next` past `target` (inclusive), delivering held packets and skipping gaps. */
  private releaseThrough(target: number): void {
    while (seqDiff(target, this.next) >= 0) {
      const i = this.next & this.mask;
      if (this.slotSeq[i] === this.next) {
        this.takeSlot(i);
      } else {
        this.counters.gapsSkipped++;
        this.seen[this.next & (this.dedupWindow - 1)] = 0;
        this.next = (this.next + 1) >>> 0;
      }
    }
    this.drainRun();
  }

  /** Delivers the contiguous run of held packets starting at `next`. */
  private drainRun(): void {
    for (;;) {
      const i = this.next & this.mask;
      if (this.slotSeq[i] !== this.next) return;
      this.takeSlot(i);
    }
  }

  private takeSlot(i: number): void {
    this.slotSeq[i] = -1;
    if (this.slotDone[i] === 1) {
      // Delivered on arrival (immediate); the window just passes over it.
      this.slotDone[i] = 0;
      this.next = (this.next + 1) >>> 0;
      return;
    }
    const ref = this.slots[i] as T;
    this.slots[i] = undefined;
    this.heldCount--;
    this.deliver(this.next, ref);
  }

  /** In bypass: sequence numbers between next and seq (exclusive) are passed over unseen. */
  private passOver(seq: number): void {
    const d = seqDiff(seq, this.next);
    if (d <= 0) return;
    const n = Math.min(d, this.dedupWindow);
    for (let k = d - n; k < d; k++) this.seen[(this.next + k) & (this.dedupWindow - 1)] = 0;
    this.next = seq;
  }

  private deliver(seq: number, ref: T): void {
    this.seen[seq & (this.dedupWindow - 1)] = 1;
    if (seqDiff(seq, this.next) >= 0) this.next = (seq + 1) >>> 0;
    this.enqueueReady(ref);
  }

  private enqueueReady(ref: T): void {
    if (this.readyCount === this.ready.length) {
      this.counters.readyOverflow++;
      this.dropped(ref);
      return;
    }
    this.ready[(this.readyHead + this.readyCount) % this.ready.length] = ref;
    this.readyCount++;
  }
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
