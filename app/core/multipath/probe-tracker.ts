// Outstanding probes of one path: a fixed ring, so sending and timing out probes allocates
// nothing. A probe that timed out stays in the ring (marked lost) until overwritten, so an
// answer that arrives late still proves the path is alive and yields an RTT sample.

/** 8 slots: at the fastest probe rate (250 ms) that remembers 2 s of probes, longer than any timeout. */
const SLOTS = 8;

export class ProbeTracker {
  private readonly seq = new Float64Array(SLOTS).fill(-1);
  private readonly sentAt = new Float64Array(SLOTS);
  private readonly lost = new Uint8Array(SLOTS);
  private next = 0;

  clear(): void {
    this.seq.fill(-1);
  }

  add(seq: number, now: number): void {
    const i = this.next;
    this.seq[i] = seq;
    this.sentAt[i] = now;
    this.lost[i] = 0;
    this.next = (i + 1) % SLOTS;
  }

  /**
   * Removes the probe `seq` and returns its send time, or NaN if unknown. `wasLost` tells
   * whether it had already been counted as lost.
   */
  take(seq: number, out: { wasLost: boolean }): number {
    for (let i = 0; i < SLOTS; i++) {
      if (this.seq[i] === seq) {
        this.seq[i] = -1;
        out.wasLost = this.lost[i] === 1;
        return this.sentAt[i] ?? Number.NaN;
      }
    }
    out.wasLost = false;
    return Number.NaN;
  }

  /** Marks probes sent at or before `now - timeoutMs` as lost; returns how many were newly lost. */
  expire(now: number, timeoutMs: number): number {
    let n = 0;
    for (let i = 0; i < SLOTS; i++) {
      if (this.seq[i] !== -1 && this.lost[i] === 0 && (this.sentAt[i] ?? 0) + timeoutMs <= now) {
        this.lost[i] = 1;
        n++;
      }
    }
    return n;
  }

  /** Earliest deadline of a probe not yet counted lost, or Infinity. */
  nextDeadline(timeoutMs: number): number {
    let d = Number.POSITIVE_INFINITY;
    for (let i = 0; i < SLOTS; i++) {
      if (this.seq[i] !== -1 && this.lost[i] === 0) d = Math.min(d, (this.sentAt[i] ?? 0) + timeoutMs);
    }
    return d;
  }
}
