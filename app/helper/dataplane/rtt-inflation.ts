// Whether a path has a standing queue at its bottleneck, judged by its RTT against its own minimum.

/**
 * RTT inflation: a path whose smoothed RTT is well above its own minimum has a standing queue at
 * its bottleneck. More traffic there only adds delay and reordering, so the scheduler treats it as
 * full until the queue drains (MPTCP's default scheduler does the same with its subflows' windows).
 * Enter above 1.5 x min + 5 ms, leave below 1.25 x min + 3 ms: the gap is the hysteresis.
 */
const INFLATE_RATIO = 1.5;
const INFLATE_MARGIN_MS = 5;
const DEFLATE_RATIO = 1.25;
const DEFLATE_MARGIN_MS = 3;

export function rttInflated(srttMs: number, minRttMs: number, wasInflated: boolean): boolean {
  if (!Number.isFinite(srttMs) || !Number.isFinite(minRttMs) || minRttMs <= 0) return false;
  return wasInflated
    ? srttMs > minRttMs * DEFLATE_RATIO + DEFLATE_MARGIN_MS
    : srttMs > minRttMs * INFLATE_RATIO + INFLATE_MARGIN_MS;
}
