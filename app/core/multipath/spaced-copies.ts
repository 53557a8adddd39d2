// The later copies of the redundant scheduler (redundant.ts): when a packet wants more copies
// than there are paths to send them on at once, the rest wait here and go out
// REDUNDANT_SPACING_MS apart. Pure and bounded: the driver passes the clock, polls `nextAt` for its
// timer and takes what is due. Items are whatever the driver needs to send a copy (the helper: the
// encapsulated datagram; the simulator: its packet).

import type { Millis } from '../types.ts';

/**
 * Gap between copies on the same path. Long enough that they never share a QUIC packet and that
 * a short burst of loss (a WiFi retry storm, a queue overflowing) does not take them all; short
 * enough that the copy still beats a retransmission by far.
 */
export const REDUNDANT_SPACING_MS = 2;
/** Copies waiting at most: interactive traffic is a few hundred packets a second, not a flood. */
export const SPACED_COPIES_CAPACITY = 256;

export interface SpacedCopiesCounters {
  /** Copies queued. */
  queued: number;
  /** Copies not queued because the queue was full. */
  dropped: number;
}

export class SpacedCopies<T> {
  readonly counters: SpacedCopiesCounters = { queued: 0, dropped: 0 };
  private readonly at: number[] = [];
  private readonly items: T[] = [];

  constructor(
    readonly capacity = SPACED_COPIES_CAPACITY,
    readonly spacingMs = REDUNDANT_SPACING_MS,
  ) {}

  get size(): number {
    return this.at.length;
  }

  /** Queues `count` copies of `item`, due spacing, 2 x spacing, ... after `now`; returns how many fit. */
  add(item: T, count: number, now: Millis): number {
    let n = 0;
    for (let k = 1; k <= count; k++) {
      if (this.at.length >= this.capacity) {
        this.counters.dropped += count - n;
        break;
      }
      this.insert(now + k * this.spacingMs, item);
      n++;
    }
    this.counters.queued += n;
    return n;
  }

  /** When the next copy is due, or null when none waits. */
  nextAt(): Millis | null {
    return this.at.length > 0 ? (this.at[0] as Millis) : null;
  }

  /** Hands every copy due at `now` to `send`, earliest first; returns how many. */
  takeDue(now: Millis, send: (item: T) => void): number {
    let n = 0;
    while (n < this.at.length && (this.at[n] as number) <= now) n++;
    if (n === 0) return 0;
    this.at.splice(0, n);
    for (const item of this.items.splice(0, n)) send(item);
    return n;
  }

  clear(): void {
    this.at.length = 0;
    this.items.length = 0;
  }

  /** Keeps `at` sorted; equal due times keep their insertion order. */
  private insert(due: number, item: T): void {
    let i = this.at.length;
    while (i > 0 && (this.at[i - 1] as number) > due) i--;
    this.at.splice(i, 0, due);
    this.items.splice(i, 0, item);
  }
}
