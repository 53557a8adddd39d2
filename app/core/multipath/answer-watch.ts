// Is a path answering? The early sign of a blackhole, for the packets that take the fastest path
// (bare ACKs, SYNs, interactive flows: PacketInfo.fastLane, interactive, critical).
//
// The path manager finds a silent path "stalled" after a probe timeout (300 ms at least) of
// unanswered traffic, read from quiche's counters every 100 ms: 300-500 ms. Right for bulk, which
// is spread and must not move on a hiccup. But an interactive flow rides one path: measured in the
// lab, a ping every 20 ms through a blackholed fastest path lost 16-25 in a row, every one of them,
// until both ends had found the path stalled.
//
// This watch reads the packet level instead: `since` is when we first sent on the path after the
// peer was last heard on it (any packet: its data, its QUIC ACKs, its probe answers). The peer's
// QUIC stack acknowledges within its max_ack_delay (25 ms, RFC 9000's default, which quiche uses),
// so traffic unanswered for 2 x RTT + 25 ms (QUIET_MIN_MS at least) is late: the path is "quiet",
// and the fastest-path packets take the next path until it is heard again. Nothing else changes:
// bulk stays until the path is stalled, and a quiet path that answers is fastest again at once.
//
// A late answer may also sit unread in our socket because our own event loop was held up (GC,
// a descheduled process). So one late look is not enough: a path turns quiet only at a later
// look (another batch, after the loop ran) that still finds it unheard: insurance against
// sending a ping over a 600 ms path because we were slow, not the path.

/** The peer's largest ACK delay we expect (RFC 9000 max_ack_delay default, quiche's too), ms. */
export const PEER_ACK_DELAY_MS = 25;
/** Least time unanswered before a path is quiet, ms: ACK delay plus scheduling jitter of both
 *  ends on a busy machine. */
export const QUIET_MIN_MS = 50;

/** How long traffic on a path of smoothed RTT `srttMs` may go unanswered; NaN while the RTT is
 *  unknown (a path without an RTT is never called quiet: it ranks last anyway). */
export function quietAfterMs(srttMs: number): number {
  if (Number.isNaN(srttMs)) return Number.NaN;
  return Math.max(QUIET_MIN_MS, 2 * srttMs + PEER_ACK_DELAY_MS);
}

export class AnswerWatch {
  /** When we first sent after the peer was last heard; NaN while everything sent was answered. */
  private since = Number.NaN;
  /** The first look that found the answer half overdue; NaN until then. */
  private noticedAt = Number.NaN;

  /** We sent a tunnel datagram on the path (per packet, O(1)). */
  sent(now: number): void {
    if (Number.isNaN(this.since)) this.since = now;
  }

  /** A packet from the peer arrived on the path. */
  heard(): void {
    this.since = Number.NaN;
    this.noticedAt = Number.NaN;
  }

  /** Unanswered for longer than `quietAfterMs(srttMs)`, seen at two looks (see above). Call once
   *  per batch: each call is a look. */
  quiet(now: number, srttMs: number): boolean {
    if (Number.isNaN(this.since)) return false;
    const limit = quietAfterMs(srttMs);
    const age = now - this.since;
    if (!(age >= limit / 2)) return false;
    if (Number.isNaN(this.noticedAt)) this.noticedAt = now;
    return age >= limit && this.noticedAt < now;
  }
}
