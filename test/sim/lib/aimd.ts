// A minimal per-path congestion controller for the simulator (Reno-like AIMD), so that `canSend`
// means something: slow start to the first loss, then +1 segment per RTT (the sim's segment, see harness.ts), halving on loss at most
// once per RTT. The window grows only while it is being used (at least half full), as quiche's
// controllers do when not app-limited.

/** Window bytes kept for interactive packets: two full datagrams (their whole burst, in practice). */
export const INTERACTIVE_RESERVE = 2 * 1250;

export class Aimd {
  cwnd: number;
  ssthresh = Number.POSITIVE_INFINITY;
  inflight = 0;
  /** Packets sent before this time do not reduce the window again (one reduction per RTT). */
  private recoveryStart = -1;

  /** `segment`: the sim's largest packet, bytes; the window never shrinks below two of them. */
  constructor(private readonly segment: number) {
    this.cwnd = Math.max(10 * 1250, 2 * segment);
  }

  /**
   * Room for `size` more bytes (an empty window always takes one packet). Bulk stops
   * INTERACTIVE_RESERVE short of the window and interactive packets may go that far beyond it,
   * as the helper's driver does (see scheduler.ts): an interactive packet never waits behind
   * bulk, nor for the window to drain after a loss halved it.
   */
  canSend(size: number, interactive: boolean): boolean {
    const limit = interactive ? this.cwnd + INTERACTIVE_RESERVE : this.cwnd - INTERACTIVE_RESERVE;
    return this.inflight === 0 || this.inflight + size <= limit;
  }

  onSend(size: number): void {
    this.inflight += size;
  }

  onAck(size: number): void {
    const wasUsed = this.inflight * 2 >= this.cwnd;
    this.inflight = Math.max(0, this.inflight - size);
    if (!wasUsed) return;
    if (this.cwnd < this.ssthresh) this.cwnd += size;
    else this.cwnd += (this.segment * size) / this.cwnd;
  }

  onLoss(size: number, sentAt: number, now: number): void {
    this.inflight = Math.max(0, this.inflight - size);
    if (sentAt <= this.recoveryStart) return;
    this.recoveryStart = now;
    this.ssthresh = Math.max(2 * this.segment, this.cwnd / 2);
    this.cwnd = this.ssthresh;
  }
}
