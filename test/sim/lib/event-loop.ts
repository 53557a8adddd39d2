// Discrete-event loop with virtual time: a binary min-heap of (time, insertion order) so events
// at the same instant run in the order they were scheduled (deterministic).

import type { Millis } from '../../../app/core/types.ts';

interface Ev {
  t: number;
  n: number;
  fn: () => void;
}

export class EventLoop {
  now = 0 as Millis;
  private heap: Ev[] = [];
  private n = 0;
  processed = 0;

  at(t: number, fn: () => void): void {
    const e: Ev = { t: Math.max(t, this.now), n: this.n++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, h[p] as Ev)) break;
      h[i] = h[p] as Ev;
      i = p;
    }
    h[i] = e;
  }

  after(dt: number, fn: () => void): void {
    this.at(this.now + dt, fn);
  }

  /** Runs events up to and including time `until`. */
  run(until: number): void {
    const h = this.heap;
    while (h.length > 0 && (h[0] as Ev).t <= until) {
      const top = h[0] as Ev;
      const last = h.pop() as Ev;
      if (h.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= h.length) break;
          const r = l + 1;
          const c = r < h.length && less(h[r] as Ev, h[l] as Ev) ? r : l;
          if (!less(h[c] as Ev, last)) break;
          h[i] = h[c] as Ev;
          i = c;
        }
        h[i] = last;
      }
      this.now = top.t as Millis;
      this.processed++;
      top.fn();
    }
    this.now = Math.max(this.now, until) as Millis;
  }
}

function less(a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.n < b.n);
}
