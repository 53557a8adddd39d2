// Keeps the bottleneck queue of a path short: bulk may leave at most at a rate that a
// queueing-delay controller adjusts (a token bucket; interactive packets never wait for it).
// Bulk beyond the bucket waits in the path's held queue (held-bulk.ts): shaped, not dropped.
// Used by the latency-aware strategy.
//
// Why: the outer congestion control (quiche cubic) is loss-based, so bulk fills whatever buffer
// the bottleneck has, and a ping sharing the path waits behind it (measured: ping p50 34 ms, p99
// 62 ms over a 10.6 ms path while bulk ran; the lab's tbf holds 50 ms). Pacing bulk just under
// what the path delivers keeps that queue near empty, so interactive traffic sees the path's own
// RTT. The cost is a few % of bulk throughput, which is what choosing "latency" asks for.
//
// Controller, run on every transport sample (100 ms), queueing delay = smoothed RTT - unloaded
// RTT. Pacing starts when the queue first exceeds the target while the path has carried traffic
// for two samples in a row, at DECREASE x what the path carries then. While paced: above target
// the rate drops by DECREASE (at most once per RTT, so one decrease acts before the next); at or
// below it, it grows by INCREASE per sample (probing for capacity that appeared; fast up to near
// the rate at which the queue last built, gently around it, faster again well past it), never
// beyond RATE_CAP x what the path carries. When the traffic uses less than half the rate (the
// bulk ended or paused), pacing is released: a later burst runs unpaced until it builds a queue
// again. Never starves: paced traffic keeps producing the RTT samples that raise the rate, and
// the rate never falls below MIN_RATE.
//
// Start-up, measured (lab, 100 Mbit/s path, 8 s flows, sessions 4-5; runs stuck low 3 of 14):
//  - On the first busy sample the smoothed RTT may still be the idle path's (quiche moves it only
//    with ACKs of new data): an idle srtt of 16 ms over a 13 ms minimum engaged pacing at the
//    9 Mbit/s the flow had reached in its first 100 ms. Hence two busy samples. (Also engaging
//    on a first busy sample whose RTT rose: 1 run of 5 at 58 Mbit/s.)
//  - The rate at engagement is a poor capacity estimate (a 100 ms average over a slow-start ramp:
//    45 Mbit/s on a 100 Mbit/s path), and treated as the ceiling the flow then crept up at 0.5 %
//    per sample. So the first ceiling is provisional, the most the path carried since it got
//    busy, and beyond it the rate grows by INCREASE_PROVISIONAL until a queue built while paced
//    sets a real one. (No ceiling at all, 10 % per sample until the queue: ping p99 14.9-17.3 ms.)
// With both: bulk 73-86 Mbit/s in 10 of 10 runs.
// Pure, clock passed in.

/**
 * Queueing delay the controller allows before it slows bulk down (ms), for the latency strategy:
 * 1 ms, so a ping sharing the path sees its own RTT (over a 10.6 ms path with bulk: 3 ms gave
 * ping p99 17.4 ms; 1.5 ms 14.4-15.6 ms; 1 ms 14.3 / 14.8 ms with bulk at 82-86 of 95 Mbit/s). Tried for aggregate mode at 10 ms: one flow over
 * 50 + 20 Mbit/s paths 35 -> 42-47 Mbit/s, 2 x 100 unchanged, but a 10/50 ms pair fell to 91
 * (the 50 ms path was pinned at MIN_RATE: its RTT read as queue while it carried nothing); 5 ms
 * collapsed 2 x 100 to 89 Mbit/s (at 180 Mbit/s our own processing delay reads as queue).
 */
export const LATENCY_TARGET_MS = 1;
/** Multiplicative decrease when the queue is above target: 10 % drains a full queue in a few RTTs. */
const DECREASE = 0.9;
/** Growth per sample when the queue is short, up to NEAR x the rate at which it last built up:
 *  10 % per 100 ms is x2.6 per second... */
const INCREASE = 1.1;
const NEAR = 0.95;
/** ...and 0.2 % (+2 % per second) from there to PAST x the ceiling: near capacity, probe gently.
 *  Each probe that finds the capacity holds a 2-3 ms queue until the next sample reads it, so
 *  probing less often leaves fewer pings behind one. `latency` exploration, 9 runs each,
 *  alternating: pings over the goal per run 4.8 at 0.5 %, 1.1 at 0.2 % (p99 met in 6 and 8 of
 *  9); bulk 88.0 and 86.6 Mbit/s. (With a fast ramp every 2 s instead, each probe built an 11 ms
 *  queue: ping p99 20.5 ms.) */
const INCREASE_NEAR = 1.002;
/** Past the ceiling with still no queue, the capacity grew: 1 % per sample again, so doubling
 *  takes ~10 s rather than the 35 s that 0.2 % would. */
const PAST = 1.02;
/** Beyond a provisional ceiling (set at engagement), and past PAST x a real one: 1 % per sample
 *  (x1.1 per second; 2 %: ping p99 15.1-17.6 ms in 5 bench runs, 1 %: 15.3-16.4). */
const INCREASE_PROVISIONAL = 1.01;
/** Floor, bytes/s (1 Mbit/s): below this RTT samples get too rare to steer by. */
const MIN_RATE = 125_000;
/** A queue is ours to fix only while we send at least this much (bytes/s, 4 Mbit/s)... */
const ENGAGE_MIN = 4 * MIN_RATE;
/** ...and while it answers to our rate: still there after FLOOR_MS at MIN_RATE, it is not ours;
 *  pacing is released and not taken up again for RETRY_MS. */
const FLOOR_MS = 2000;
const RETRY_MS = 10_000;
/** Ceiling over what the path carries: room to find more capacity, not enough to flood. */
const RATE_CAP = 1.5;
/** Traffic below this share of the rate is app-limited: pacing is released. */
const RELEASE_SHARE = 0.5;
/** Bucket depth in ms of the rate: what may leave at once after a pause (a TUN batch arrives
 *  in a burst; whatever exceeds the bucket waits in the held queue, it is not dropped). After an
 *  event-loop stall the whole bucket reaches the bottleneck at once, ahead of the next ping:
 *  `latency` exploration (the bench's lab), 9 runs each, pings over the goal 5.3 per run at
 *  5 ms, 3.3 at 2 ms (bulk 83.4-87.8 and 85.0-89.2 Mbit/s). */
const BURST_MS = 2;
/** Bucket depth floor, bytes: a few full packets even at the lowest rate. */
const MIN_BURST = 4 * 1500;

export class BulkPacer {
  /** `targetMs`: queueing delay allowed before the rate drops. */
  constructor(private readonly targetMs = LATENCY_TARGET_MS) {}

  /** Bytes/s; 0 = not limiting (RTTs not known yet). */
  private rateBps = 0;
  private tokens = 0;
  private lastRefill = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  /** The rate at which the queue last built up: about the path's capacity. */
  private ceiling = Number.POSITIVE_INFINITY;
  private floorSince = Number.NaN;
  private suppressedUntil = Number.NEGATIVE_INFINITY;
  /** What the path carried at the previous sample (bytes/s). */
  private lastThroughput = 0;
  /** The most the path carried since it got busy (bytes/s; 0 while idle). */
  private busyPeak = 0;
  /** The ceiling is the start-up's estimate, not a rate at which a paced queue built. */
  private provisional = false;

  get rate(): number {
    return this.rateBps;
  }

  /**
   * One transport sample of the path: smoothed and unloaded RTT (ms, NaN while unknown) and what
   * the path carries now (bytes/s). `backlogged`: bulk is waiting for this pacer (held-bulk.ts),
   * so the traffic is not app-limited whatever the sample says, and releasing the pacing would
   * send the whole backlog into the bottleneck at once.
   */
  onSample(now: number, srttMs: number, minRttMs: number, throughput: number, backlogged = false): void {
    const busyBefore = this.lastThroughput >= ENGAGE_MIN;
    this.lastThroughput = throughput;
    this.busyPeak = throughput >= ENGAGE_MIN ? Math.max(this.busyPeak, throughput) : 0;
    if (!Number.isFinite(srttMs) || !Number.isFinite(minRttMs)) {
      this.rateBps = 0;
      return;
    }
    const queued = srttMs - minRttMs > this.targetMs;
    if (this.rateBps === 0) {
      if (!queued || !(throughput >= ENGAGE_MIN) || !busyBefore || now < this.suppressedUntil) return;
      this.floorSince = Number.NaN;
      this.ceiling = this.busyPeak;
      this.provisional = true;
      this.rateBps = Math.max(MIN_RATE, throughput * DECREASE);
      this.lastDecrease = now;
      this.tokens = this.burst();
      this.lastRefill = now;
      return;
    }
    if (queued) {
      if (now - this.lastDecrease >= srttMs) {
        // Above what the path delivers, the rate itself feeds the queue: start from delivered.
        this.ceiling = this.rateBps;
        this.provisional = false;
        this.rateBps = Math.min(this.rateBps, Math.max(throughput, MIN_RATE)) * DECREASE;
        this.lastDecrease = now;
      }
    } else if (throughput < this.rateBps * RELEASE_SHARE && !backlogged) {
      this.rateBps = 0;
      return;
    } else {
      const near = this.ceiling * NEAR;
      const past = this.provisional || this.rateBps > this.ceiling * PAST;
      const beyond = past ? INCREASE_PROVISIONAL : INCREASE_NEAR;
      const next = this.rateBps < near ? Math.min(near, this.rateBps * INCREASE) : this.rateBps * beyond;
      this.rateBps = Math.min(next, Math.max(this.rateBps, throughput * RATE_CAP));
    }
    this.rateBps = Math.max(MIN_RATE, this.rateBps);
    if (this.rateBps > MIN_RATE || !queued) this.floorSince = Number.NaN;
    else if (Number.isNaN(this.floorSince)) this.floorSince = now;
    else if (now - this.floorSince >= FLOOR_MS) {
      this.rateBps = 0;
      this.suppressedUntil = now + RETRY_MS;
    }
  }

  /** Whether a bulk packet may leave now (refills the bucket). */
  hasRoom(now: number): boolean {
    if (this.rateBps === 0) return true;
    this.refill(now);
    return this.tokens > 0;
  }

  /** When the bucket has room again (ms, the caller's clock): `now` when it has room now. */
  roomAt(now: number): number {
    if (this.rateBps === 0) return now;
    this.refill(now);
    return this.tokens > 0 ? now : now + ((1 - this.tokens) * 1000) / this.rateBps;
  }

  /** A bulk packet of `bytes` left; false when the bucket is now empty (no room until refilled). */
  consume(now: number, bytes: number): boolean {
    if (this.rateBps === 0) return true;
    this.refill(now);
    this.tokens -= bytes;
    return this.tokens > 0;
  }

  private refill(now: number): void {
    const dt = now - this.lastRefill;
    if (dt <= 0) return;
    this.lastRefill = now;
    this.tokens = Math.min(this.burst(), this.tokens + (this.rateBps * dt) / 1000);
  }

  private burst(): number {
    return Math.max(MIN_BURST, (this.rateBps * BURST_MS) / 1000);
  }
}
