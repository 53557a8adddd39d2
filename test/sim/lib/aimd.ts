// A minimal per-path congestion controller for the simulator (Reno-like AIMD), so that `canSend`
// means something: slow start to the first loss, then +1 segment per RTT (the sim's segment, see harness.ts), halving on loss at most
// once per RTT. The window grows only while it is being used (at least half full), as quiche's
// controllers do when not app-limited.

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

  /** Room for `size` more bytes (an empty window always takes one packet). */
  canSend(size: number): boolean {
    return this.inflight === 0 || this.inflight + size <= this.cwnd;
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
