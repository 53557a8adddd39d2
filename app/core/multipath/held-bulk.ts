// Bulk datagrams a paced path holds back until its pacer has room (bulk-pacer.ts): the pacer
// shapes instead of policing. Pure and bounded; the driver copies datagrams in, and takes them
// out in order while the pacer lets them go.
//
// Why: the pacer used to block the path when its bucket ran dry, so the rest of a TUN batch was
// dropped. A token bucket that drops is a policer, and TCP does badly behind one: one BBR flow
// over a 50 Mbit/s failover path (failover mode's default strategy is latency) lost 13-17 % of
// its packets at our ingress and ran at 10-20 Mbit/s with stalls of seconds (its policer
// detection locked it at 1.5 Mbit/s); the weighted strategy over the same path lost none and
// carried 44. Holding bulk here costs interactive traffic nothing (it never waits in this queue)
// and gives the flow's TCP what a bottleneck gives it: delay first, loss only when it overflows.

/** Bulk held at most, in ms of the pacing rate: a bottleneck buffer for one flow's TCP (its
 *  bursts and probes) that is not a standing queue of seconds. */
export const HOLD_MS = 25;
/** Floor of the bound, bytes: a few dozen full datagrams even at the lowest pacing rate. */
export const HOLD_MIN_BYTES = 32 * 1500;
/** Datagrams held at most whatever the rate (memory: slots of up to one datagram each). */
export const HOLD_MAX_COUNT = 1024;

export interface HeldBulkCounters {
  /** Datagrams that were held (not sent at once). */
  held: number;
  /** Datagrams refused because the queue was full. */
  overflows: number;
  /** Datagrams dropped unsent (the path closed, or the queue was cleared). */
  discarded: number;
}

/** Bound of the queue in bytes for a pacing rate (bytes/s; 0 = not pacing). */
export function holdLimitBytes(rateBps: number): number {
  return Math.max(HOLD_MIN_BYTES, (rateBps * HOLD_MS) / 1000);
}

export class HeldBulk {
  readonly counters: HeldBulkCounters = { held: 0, overflows: 0, discarded: 0 };
  private readonly slots: Uint8Array[] = [];
  private readonly lens: number[] = [];
  private head = 0;
  private count = 0;
  private held = 0;

  constructor(private readonly maxCount = HOLD_MAX_COUNT) {}

  get size(): number {
    return this.count;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.held;
  }

  /** Whether a datagram of `len` bytes fits under `limitBytes` (holdLimitBytes). */
  fits(len: number, limitBytes: number): boolean {
    return this.count < this.maxCount && (this.count === 0 || this.held + len <= limitBytes);
  }

  /** Copies buf[start, start+len) to the tail; false (counted) when it does not fit. */
  push(buf: Uint8Array, start: number, len: number, limitBytes: number): boolean {
    if (!this.fits(len, limitBytes)) {
      this.counters.overflows++;
      return false;
    }
    const i = (this.head + this.count) % this.maxCount;
    let slot = this.slots[i];
    // Slots are kept and reused; one grows only for a datagram larger than any it held.
    if (!slot || slot.length < len) {
      slot = new Uint8Array(Math.max(len, 1500));
      this.slots[i] = slot;
    }
    slot.set(buf.subarray(start, start + len));
    this.lens[i] = len;
    this.count++;
    this.held += len;
    this.counters.held++;
    return true;
  }

  /** Length of the oldest datagram, or 0 when empty. */
  peekLength(): number {
    return this.count === 0 ? 0 : (this.lens[this.head] as number);
  }

  /**
   * Hands the oldest datagram to `send` (the slot is reused after it returns) and removes it if
   * `send` returns true; false = it stays at the head. Returns what `send` returned (false when empty).
   */
  sendOldest(send: (buf: Uint8Array, start: number, len: number) => boolean): boolean {
    if (this.count === 0) return false;
    const len = this.lens[this.head] as number;
    if (!send(this.slots[this.head] as Uint8Array, 0, len)) return false;
    this.head = (this.head + 1) % this.maxCount;
    this.count--;
    this.held -= len;
    return true;
  }

  /** Drops everything held (the path is gone); the slots stay for reuse. */
  clear(): void {
    this.counters.discarded += this.count;
    this.head = 0;
    this.count = 0;
    this.held = 0;
  }
}
