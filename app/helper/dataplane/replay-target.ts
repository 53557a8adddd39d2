// Where the ACK replay of a dead path goes (ack-replay.ts, PathSender.replayFrom), and the
// datagrams taken back from its queue (PathSender.rescueQueued): the lowest-RTT other path that
// is Active or Standby, not stalled, with urgent room; for a rescue, also not quiet. The scheduler's
// lowestRtt() does not filter by state: its views are already the usable ones.
import type { MutablePathView } from '../../core/multipath/index.ts';
import type { PathId } from '../../core/types.ts';
import type { PathLink } from './path-link.ts';

export function replayTarget(
  views: readonly MutablePathView[],
  paths: ReadonlyMap<PathId, PathLink>,
  dead: PathLink,
  answering = false,
): PathLink | undefined {
  let to: PathLink | undefined;
  let best = Number.POSITIVE_INFINITY;
  for (const v of views) {
    const link = paths.get(v.id);
    const live = v.state === 'active' || v.state === 'standby';
    if (!link || link === dead || !live || v.stalled || !v.canSendUrgent || (answering && v.quiet)) continue;
    const rtt = Number.isNaN(v.srttMs) ? Number.MAX_VALUE : v.srttMs;
    if (rtt < best) {
      best = rtt;
      to = link;
    }
  }
  return to;
}
