// Windowed minimum / maximum over time, in O(1) memory: Kathleen Nichols' three-sample filter as
// used by BBR (Linux net/ipv4/tcp_bbr.c, lib/win_minmax.c). It keeps the best, second-best and
// third-best sample of successive sub-windows, so the answer is exact for monotone inputs and
// within one sub-window for the rest - plenty for an RTT baseline or a capacity estimate.
//
// When no new samples arrive the last answer is held (the filter only ages on input). That is
// what we want for a capacity estimate: a path that is momentarily app-limited keeps its last
// known capacity instead of looking slow.

import type { Millis } from '../types.ts';

interface Sample {
  t: number;
  v: number;
}

export class WindowedFilter {
  private readonly s: [Sample, Sample, Sample] = [
    { t: 0, v: Number.NaN },
    { t: 0, v: Number.NaN },
    { t: 0, v: Number.NaN },
  ];

  /** `kind` 'max' keeps the largest sample of the window, 'min' the smallest. */
  constructor(
    private readonly kind: 'min' | 'max',
    private readonly windowMs: number,
  ) {}

  /** Current best value of the window; NaN before the first sample. */
  get value(): number {
    return this.s[0].v;
  }

  reset(): void {
    for (const x of this.s) x.v = Number.NaN;
  }

  private better(a: number, b: number): boolean {
    return this.kind === 'max' ? a >= b : a <= b;
  }

  private set(i: 0 | 1 | 2, t: number, v: number): void {
    this.s[i].t = t;
    this.s[i].v = v;
  }

  /** Adds a sample taken at `now` and returns the window's best value. */
  update(v: number, now: Millis): number {
    if (!Number.isFinite(v)) return this.value;
    const [s0, s1, s2] = this.s;
    const win = this.windowMs;
    // A new best, an empty filter, or nothing seen for a whole window: restart from this sample.
    if (Number.isNaN(s0.v) || this.better(v, s0.v) || now - s2.t > win) {
      this.set(0, now, v);
      this.set(1, now, v);
      this.set(2, now, v);
      return v;
    }
    if (this.better(v, s1.v)) {
      this.set(1, now, v);
      this.set(2, now, v);
    } else if (this.better(v, s2.v)) {
      this.set(2, now, v);
    }
    // Age the samples: the best has left the window, promote the next ones.
    const dt = now - s0.t;
    if (dt > win) {
      this.set(0, s1.t, s1.v);
      this.set(1, s2.t, s2.v);
      this.set(2, now, v);
      if (now - s0.t > win) {
        this.set(0, s1.t, s1.v);
        this.set(1, s2.t, s2.v);
        this.set(2, now, v);
      }
    } else if (s1.t === s0.t && dt > win / 4) {
      // A quarter of the window passed with no second choice: take one from this sample.
      this.set(1, now, v);
      this.set(2, now, v);
    } else if (s2.t === s1.t && dt > win / 2) {
      this.set(2, now, v);
    }
    return s0.v;
  }
}
