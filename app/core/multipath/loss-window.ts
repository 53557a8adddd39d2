// Loss ratio over a sliding time window, kept in a fixed ring of time buckets (no allocation per
// update). Fed with probe outcomes (1 sent, 0 or 1 lost) and with deltas of quiche's cumulative
// sent/lost counters, so an idle path is judged by its probes and a busy one by its traffic.

import type { Millis } from '../types.ts';

/** 10 buckets: the window slides in steps of a tenth of its length, smooth enough for a graph. */
const BUCKETS = 10;

export class LossWindow {
  private readonly sent = new Float64Array(BUCKETS);
  private readonly lost = new Float64Array(BUCKETS);
  /** Absolute bucket number (floor(now / bucketMs)) of the newest bucket; -1 before any input. */
  private head = -1;
  private readonly bucketMs: number;

  constructor(
    windowMs: number,
    private readonly minSamples: number,
  ) {
    this.bucketMs = Math.max(1, windowMs / BUCKETS);
  }

  private advance(now: Millis): void {
    const b = Math.floor(now / this.bucketMs);
    if (this.head < 0 || b - this.head >= BUCKETS) {
      this.sent.fill(0);
      this.lost.fill(0);
    } else {
      for (let i = this.head + 1; i <= b; i++) {
        this.sent[i % BUCKETS] = 0;
        this.lost[i % BUCKETS] = 0;
      }
    }
    if (b > this.head) this.head = b;
  }

  /** Records `sent` packets of which `lost` were lost, at `now`. */
  add(sent: number, lost: number, now: Millis): void {
    if (!(sent >= 0) || !(lost >= 0)) return;
    this.advance(now);
    const i = this.head % BUCKETS;
    this.sent[i] = (this.sent[i] ?? 0) + sent;
    this.lost[i] = (this.lost[i] ?? 0) + Math.min(lost, sent);
  }

  /** Packets counted in the window ending at `now`. */
  samples(now: Millis): number {
    this.advance(now);
    let s = 0;
    for (let i = 0; i < BUCKETS; i++) s += this.sent[i] ?? 0;
    return s;
  }

  /** Lost / sent over the window ending at `now`; 0 when fewer than `minSamples` packets. */
  ratio(now: Millis): number {
    this.advance(now);
    let s = 0;
    let l = 0;
    for (let i = 0; i < BUCKETS; i++) {
      s += this.sent[i] ?? 0;
      l += this.lost[i] ?? 0;
    }
    return s < this.minSamples || s === 0 ? 0 : l / s;
  }
}
