// Which path a session's own control messages go on (header-compression definitions,
// inner-headers.ts; pathHearing reports, peer-hearing.ts): the answering Active path with the
// lowest RTT, else any bound path that is not closed (nor the one the message is about). The
// stream is reliable, so a slow or lossy choice only delays the message.
import type { MutablePathView } from '../../core/multipath/index.ts';
import type { PathId } from '../../core/types.ts';
import type { PathLink } from './path-link.ts';

/** RTT rank of a path that is not Active, is quiet or stalled, or has no RTT yet: after every
 *  answering Active one. */
const NOT_ACTIVE_RANK = 1e9;

export function controlTarget(
  views: readonly MutablePathView[],
  paths: ReadonlyMap<PathId, PathLink>,
  except: PathLink | null = null,
): PathLink | null {
  let best: PathLink | null = null;
  let bestRtt = Number.POSITIVE_INFINITY;
  for (const v of views) {
    const link = paths.get(v.id);
    if (!link || link.closed || link === except) continue;
    const answering = v.state === 'active' && !v.quiet && !v.stalled;
    const rtt = answering && Number.isFinite(v.srttMs) ? v.srttMs : NOT_ACTIVE_RANK;
    if (best === null || rtt < bestRtt) {
      best = link;
      bestRtt = rtt;
    }
  }
  return best;
}
