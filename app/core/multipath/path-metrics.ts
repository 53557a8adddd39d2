// All measurements of one path, updated by the path manager from probes, quiche stats and
// traffic acks. Read by the schedulers (through PathView) and by status reporting (snapshot).

import type { Millis } from '../types.ts';
import { BandwidthEstimator } from './bandwidth-estimator.ts';
import { LossWindow } from './loss-window.ts';
import { RttEstimator } from './rtt-estimator.ts';
import type { PathTuning } from './tuning.ts';
import { WindowedFilter } from './windowed-filter.ts';

/** Stats of one path as the quiche driver reads them (`Connection.pathStats()`), in our units. */
export interface TransportStats {
  /** quiche's smoothed RTT, ms. NaN until the path has acked something: quiche reports its
   *  333 ms initial RTT before that, which is not a measurement. */
  readonly rttMs: number;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  /** Bytes in flight, if the driver knows them (quiche's pathStats does not expose it). */
  readonly bytesInFlight?: number;
  /** Cumulative packets lost on the path (monotone; a decrease means a new connection). */
  readonly lost: number;
  /** Cumulative packets sent on the path. */
  readonly sent: number;
  /** quiche's delivery-rate estimate, bytes per second. */
  readonly deliveryRate: number;
  /** The driver found the window full since the previous stats (send() said Done with data queued). */
  readonly cwndLimited?: boolean;
  /** The connection's largest datagram, bytes: given by drivers whose RTT is only trustworthy
   *  with a window of some packets (see `transportRttTrusted`); absent: always trusted. */
  readonly datagramSize?: number;
}

/**
 * Smallest congestion window, in datagrams, at which quiche's RTT is taken as a sample.
 *
 * quiche 0.18 stamps each sent packet with its pacer's next release time. With pacing off (ours)
 * and cubic or reno, that time only moves when the path pauses longer than send_quantum / rate =
 * 10 datagrams x srtt / (1.25 x cwnd), so a packet is stamped up to 8 x datagram / cwnd x srtt
 * early. Below ~4 datagrams of window the error outgrows the RTT and feeds itself: measured in the
 * lab on a path losing 5 % of 1 packet per 5 ms, quiche's RTT climbed a second per second (18 s
 * after 23 s) while pings took 1 ms. At 16 datagrams the stamps are at most srtt / 2 early.
 */
export const TRANSPORT_RTT_MIN_CWND_DATAGRAMS = 16;

/** Whether a transport stats reading's RTT can be used (see TRANSPORT_RTT_MIN_CWND_DATAGRAMS). */
export function transportRttTrusted(s: TransportStats): boolean {
  if (s.datagramSize === undefined || !(s.datagramSize > 0)) return true;
  return s.cwnd >= TRANSPORT_RTT_MIN_CWND_DATAGRAMS * s.datagramSize;
}

/** Immutable copy for status reporting (allocates; not for the packet path). */
export interface PathMetricsSnapshot {
  readonly srttMs: number;
  readonly rttVarMs: number;
  readonly minRttMs: number;
  readonly lossRatio: number;
  readonly bandwidth: number;
  readonly throughput: number;
  readonly cwnd: number;
  /** cwnd - bytesInFlight in bytes, or NaN when in-flight is unknown. */
  readonly headroom: number;
  readonly lastUpdated: Millis;
}

export class PathMetrics {
  readonly rtt = new RttEstimator();
  /** Windowed minimum RTT: the path's unloaded baseline, against which degradation is judged. */
  private readonly baseline: WindowedFilter;
  readonly loss: LossWindow;
  readonly bw: BandwidthEstimator;
  cwnd = Number.NaN;
  bytesInFlight = Number.NaN;
  /** The last stats reading's RTT could be used: false makes the path manager probe the path
   *  even while it carries traffic, for RTT samples of its own. */
  transportRttTrusted = true;
  lastUpdated = 0 as Millis;
  private lastStatsRtt = Number.NaN;
  private lastSent = Number.NaN;
  private lastLost = Number.NaN;

  constructor(tuning: PathTuning) {
    this.baseline = new WindowedFilter('min', tuning.rttBaselineWindowMs);
    this.loss = new LossWindow(tuning.lossWindowMs, tuning.lossMinSamples);
    this.bw = new BandwidthEstimator(
      tuning.bandwidthWindowMs,
      tuning.rateIntervalMinMs,
      tuning.throughputGain,
    );
  }

  get srttMs(): number {
    return this.rtt.srttMs;
  }

  get minRttMs(): number {
    return this.baseline.value;
  }

  addRttSample(rttMs: number, now: Millis): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    this.rtt.addSample(rttMs);
    this.baseline.update(rttMs, now);
    this.lastUpdated = now;
  }

  addProbeOutcome(lost: boolean, now: Millis): void {
    this.loss.add(1, lost ? 1 : 0, now);
    this.lastUpdated = now;
  }

  /**
   * Folds in one stats reading. Returns true when it carried a new RTT sample (quiche's RTT
   * changed, i.e. something was acked since the previous reading, and it can be trusted).
   */
  addStats(s: TransportStats, now: Millis): boolean {
    let sentDelta = 0;
    let lostDelta = 0;
    if (!Number.isNaN(this.lastSent) && s.sent >= this.lastSent && s.lost >= this.lastLost) {
      sentDelta = s.sent - this.lastSent;
      lostDelta = s.lost - this.lastLost;
    }
    this.lastSent = s.sent;
    this.lastLost = s.lost;
    if (sentDelta > 0) this.loss.add(sentDelta, lostDelta, now);
    this.cwnd = s.cwnd;
    this.bytesInFlight = s.bytesInFlight ?? Number.NaN;
    const windowFull =
      s.cwndLimited === true ||
      (s.bytesInFlight !== undefined && s.cwnd > 0 && s.bytesInFlight >= s.cwnd * 0.9);
    this.bw.addDeliveryRate(s.deliveryRate, windowFull && lostDelta > 0, now);
    this.lastUpdated = now;
    // quiche's RTT is already smoothed; we only take it as a sample when it moved, so a dead
    // path's frozen RTT does not keep "confirming" itself.
    this.transportRttTrusted = transportRttTrusted(s);
    const fresh =
      this.transportRttTrusted && s.rttMs !== this.lastStatsRtt && Number.isFinite(s.rttMs) && s.rttMs > 0;
    this.lastStatsRtt = s.rttMs;
    if (fresh) this.addRttSample(s.rttMs, now);
    return fresh;
  }

  lossRatio(now: Millis): number {
    return this.loss.ratio(now);
  }

  snapshot(now: Millis): PathMetricsSnapshot {
    return {
      srttMs: this.rtt.srttMs,
      rttVarMs: this.rtt.rttVarMs,
      minRttMs: this.minRttMs,
      lossRatio: this.loss.ratio(now),
      bandwidth: this.bw.bandwidth,
      throughput: this.bw.throughput,
      cwnd: this.cwnd,
      headroom: this.cwnd - this.bytesInFlight,
      lastUpdated: this.lastUpdated,
    };
  }
}
