// One reading of a path's quiche transport stats, fed into the path manager (metrics, liveness)
// and the path's bulk pacer; returns the path's queue delay for queue balancing. Called by
// PeerSession.sampleTransport a few times a second for every path.
import type { PathManager } from '../../core/multipath/index.ts';
import type { Millis, PathId } from '../../core/types.ts';
import type { PathLink } from './path-link.ts';
import { queueDelayMs } from './strategy-aids.ts';

/** quiche's smallest max datagram size (RFC 9000's 1200), until the path reports its own. */
const FALLBACK_DATAGRAM_SIZE = 1200;

/**
 * A path whose connection received packets since the last reading is alive: its peer is ACKing,
 * so the path manager does not need probe answers to keep it (a busy path's keepalives can queue
 * behind data). Bytes acknowledged are estimated as sent minus lost over the interval.
 * Returns the queue delay (ms) when `wantQueue`, else NaN.
 */
export function samplePath(
  manager: PathManager,
  id: PathId,
  link: PathLink,
  now: Millis,
  wantQueue: boolean,
): number {
  const s = link.conn.stats();
  manager.handleStats(
    id,
    {
      rttMs: s.rttMs,
      cwnd: s.cwnd,
      lost: s.lost,
      sent: s.sent,
      deliveryRate: s.deliveryRate,
      // quiche's DATAGRAM queue only backs up when the congestion window is full.
      cwndLimited: s.dgramSendQueueLen > 0 || link.counters.txRefused > (link.lastStats?.refused ?? 0),
      // quiche's RTT is stamped by its pacer: with a window of a few datagrams it runs away.
      datagramSize: s.pmtu > 0 ? s.pmtu : FALLBACK_DATAGRAM_SIZE,
    },
    now,
  );
  const last = link.lastStats;
  if (last) {
    const sent = s.sentBytes - last.sentBytes;
    if (sent > 0) manager.handleTrafficSent(id, sent, now);
    if (s.recv > last.recv)
      manager.handleTrafficAcked(id, Math.max(0, sent - (s.lostBytes - last.lostBytes)), now);
  }
  // Both read quiche's own RTT (fresh per ACK): not while it cannot be trusted.
  const m =
    (wantQueue || link.pacer) && manager.transportRttTrusted(id) ? manager.metrics(id, now) : undefined;
  const queue = wantQueue && m ? queueDelayMs(link, s, m.minRttMs) : Number.NaN;
  // quiche's own smoothed RTT: fresh per ACK, where ours is smoothed again per sample.
  // What the path carries: quiche's latest delivery-rate sample, or our smoothed throughput.
  if (m && link.pacer) {
    const backlogged = link.held !== null && link.held.size > 0;
    link.pacer.onSample(now, s.rttMs, m.minRttMs, Math.max(m.throughput, s.deliveryRate), backlogged);
  }
  link.lastStats = {
    sentBytes: s.sentBytes,
    lostBytes: s.lostBytes,
    recv: s.recv,
    refused: link.counters.txRefused,
  };
  return queue;
}
