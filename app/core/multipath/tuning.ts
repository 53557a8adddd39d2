// Tuning constants of the path state machine and its estimators (STYLE rule 7: every constant
// says why it has its value). They are gathered in one object so a test or the simulator can
// override one of them without forking the logic; the helper uses DEFAULT_PATH_TUNING.

export interface PathTuning {
  /** Probe interval for a path that is healthy but carries no acked traffic (idle, standby). */
  readonly idleProbeIntervalMs: number;
  /** Probe interval while a path is Probing or suspected (its last probe or traffic went unanswered). */
  readonly fastProbeIntervalMs: number;
  /** Lower bound of the probe (and traffic-silence) timeout. */
  readonly probeTimeoutMinMs: number;
  /** Upper bound of the probe timeout. */
  readonly probeTimeoutMaxMs: number;
  /** Consecutive lost probes that turn a path Failed. */
  readonly probeLossesToFail: number;
  /** Consecutive answered probes that turn a Probing path Active. */
  readonly probeAcksToActivate: number;
  /** First re-probe delay of a Failed path. */
  readonly failBackoffInitialMs: number;
  /** Cap of the re-probe delay of a Failed path. */
  readonly failBackoffMaxMs: number;
  /** Time Active after which a path's failure backoff starts again from the initial delay. */
  readonly backoffResetAfterMs: number;
  /** Demote when smoothed RTT exceeds baseline × this ratio (and the margin below)... */
  readonly demoteRttRatio: number;
  /** ...and exceeds baseline + this many ms. */
  readonly demoteRttMarginMs: number;
  /** Promote back when smoothed RTT is under baseline × this ratio or baseline + the margin below. */
  readonly promoteRttRatio: number;
  readonly promoteRttMarginMs: number;
  /** Demote when the windowed loss ratio exceeds this. */
  readonly demoteLossRatio: number;
  /** Promote back only when the windowed loss ratio is at most this. */
  readonly promoteLossRatio: number;
  /** Consecutive bad (good) quality evaluations before a demotion (promotion). */
  readonly qualitySamples: number;
  /** Window of the RTT baseline (windowed minimum). */
  readonly rttBaselineWindowMs: number;
  /** Window of the loss ratio. */
  readonly lossWindowMs: number;
  /** Fewer packets than this in the loss window say nothing about loss (ratio reads as 0). */
  readonly lossMinSamples: number;
  /** Window of the capacity estimate (windowed maximum of delivery-rate samples). */
  readonly bandwidthWindowMs: number;
  /** Shortest interval over which our own acked bytes/time is measured. */
  readonly rateIntervalMinMs: number;
  /** Gain of the EWMA that smooths the acked-throughput figure shown to users. */
  readonly throughputGain: number;
}

export const DEFAULT_PATH_TUNING: PathTuning = {
  // 1 s: an idle backup is found dead within ~3 s (one interval + fast re-probes), not the
  // 10-30 s a QUIC idle timeout would take, at a cost of one ~60-byte ping per second per path.
  idleProbeIntervalMs: 1000,
  // 250 ms: once a probe is missed we want the verdict quickly; 4 pings/s is still negligible.
  fastProbeIntervalMs: 250,
  // 300 ms: above any plausible queueing spike on a short path, so one slow answer is not a loss.
  probeTimeoutMinMs: 300,
  // 3 s: a GEO satellite path (600 ms RTT + jitter) still fits; longer would slow detection.
  probeTimeoutMaxMs: 3000,
  // 3: at 5 % random loss three in a row happen once in 8000 probes; one or two are noise.
  probeLossesToFail: 3,
  // 2: one answer may be a fluke (a stale NAT binding answering once); two show a usable path.
  probeAcksToActivate: 2,
  // 1 s: a link that blinked (WiFi roam) is retried almost at once.
  failBackoffInitialMs: 1000,
  // 30 s: a dead LTE modem costs at most a few probes per minute, and we still notice its return.
  failBackoffMaxMs: 30_000,
  // 30 s: a path that flaps faster than this keeps its growing backoff instead of re-flapping at 1 s.
  backoffResetAfterMs: 30_000,
  // ×3 and +50 ms: bufferbloat of 3× its own baseline is a degraded link; the margin keeps a
  // 5 ms LAN path with a 20 ms spike (×4 but harmless) from being demoted.
  demoteRttRatio: 3,
  demoteRttMarginMs: 50,
  // ×2 or +25 ms: well inside the demotion band, so a path near the threshold does not flap.
  promoteRttRatio: 2,
  promoteRttMarginMs: 25,
  // 30 %: beyond this TCP over the path collapses anyway; 5-10 % lossy radio links stay in use.
  demoteLossRatio: 0.3,
  // 10 %: clearly better than the demotion threshold (hysteresis).
  promoteLossRatio: 0.1,
  // 5 samples: about 5 s on a probed idle path, a few hundred ms on a busy one - long enough to
  // ignore a spike, short enough to move traffic off a bloated link quickly.
  qualitySamples: 5,
  // 30 s: long enough to remember the unloaded RTT under sustained load, short enough that a
  // permanent route change (new LTE cell) becomes the new baseline within half a minute.
  rttBaselineWindowMs: 30_000,
  // 10 s: enough packets for a meaningful ratio on an idle path (10 probes), recent enough to react.
  lossWindowMs: 10_000,
  // 10 packets: below this one lost probe would read as a 50 % loss path.
  lossMinSamples: 10,
  // 10 s: capacity of a link changes on the scale of seconds (radio conditions); the windowed max
  // keeps one slow interval from looking like a capacity drop.
  bandwidthWindowMs: 10_000,
  // 100 ms: shorter intervals measure ack bursts, not rates.
  rateIntervalMinMs: 100,
  // 1/4: smooths per-interval noise in the UI graph while following a change within ~1 s.
  throughputGain: 0.25,
};
