// Smoothed RTT and RTT variance, RFC 6298 §2 (alpha = 1/8, beta = 1/4), fed with RTT samples
// from our probes and from quiche's per-path stats.

/** RFC 6298 alpha: weight of a new sample in the smoothed RTT. */
const ALPHA = 1 / 8;
/** RFC 6298 beta: weight of a new deviation in the RTT variance. */
const BETA = 1 / 4;

export class RttEstimator {
  /** Smoothed RTT in ms; NaN until the first sample. */
  srttMs = Number.NaN;
  /** RTT variance (mean deviation) in ms; NaN until the first sample. */
  rttVarMs = Number.NaN;
  /** Latest raw sample in ms; NaN until the first sample. */
  latestMs = Number.NaN;
  samples = 0;

  get hasSample(): boolean {
    return this.samples > 0;
  }

  /** Adds one RTT sample (ms). Negative or non-finite samples are ignored (clock glitches). */
  addSample(rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    this.latestMs = rttMs;
    if (this.samples === 0) {
      this.srttMs = rttMs;
      this.rttVarMs = rttMs / 2;
    } else {
      this.rttVarMs = (1 - BETA) * this.rttVarMs + BETA * Math.abs(this.srttMs - rttMs);
      this.srttMs = (1 - ALPHA) * this.srttMs + ALPHA * rttMs;
    }
    this.samples++;
  }

  /** RFC 6298 retransmission timeout shape (srtt + 4·rttvar), clamped; `fallbackMs` before any sample. */
  timeoutMs(minMs: number, maxMs: number, fallbackMs: number): number {
    const t = this.samples === 0 ? fallbackMs : this.srttMs + 4 * this.rttVarMs;
    return Math.min(maxMs, Math.max(minMs, t));
  }
}
