// One-way blackholes: a path whose one direction died. The end that sends into the dead direction
// still hears the other end on the path, so its own answer watch (answer-watch.ts) sees nothing
// wrong; only the other end, whose traffic there goes unanswered, can tell. That end says so on
// another path (the pathHearing message), and the sender then treats the path as quiet and
// stalled: its fastest-path packets (bare ACKs, pings) and its bulk go elsewhere, and the last
// bare ACKs it sent there are sent again (ack-replay.ts). Measured in the lab before this: one
// TCP upload over 2 x 50 Mbit/s, the gateway -> laptop direction of one path dropped: the upload
// stood still (0 Mbit/s) for 1.1 s, every inner ACK going into the dead direction until the path
// failed.
import type { PathHearingMessage } from '../../core/control-messages.ts';
import type { MutablePathView } from '../../core/multipath/index.ts';
import type { Millis, PathId } from '../../core/types.ts';
import { controlTarget } from './control-target.ts';
import type { PathLink } from './path-link.ts';

/** While we still do not hear the peer on a path, we say so again this often, ms. */
export const PATH_HEARING_REPEAT_MS = 250;
/** The peer's "not hearing you" holds this long unless repeated, ms: a lost "hearing again"
 *  (its carrier path died with it) does not keep a path out for longer. */
export const PEER_DEAF_HOLD_MS = 1000;

/**
 * The message to send the peer about this path now, or null: a change of our own quiet
 * (v.quiet as the answer watch left it, before applyPeerHearing), or a repeat while quiet.
 * The caller sends it on another path and calls `reported` when it left.
 */
export function hearingReport(link: PathLink, v: MutablePathView, now: Millis): PathHearingMessage | null {
  const h = link.hearing;
  if (!v.quiet && !h.reportedQuiet) return null; // heard, and the peer knows
  if (v.quiet && h.reportedQuiet && now - h.reportedAt < PATH_HEARING_REPEAT_MS) return null;
  return { type: 'pathHearing', interface: link.iface, hearing: !v.quiet, seq: h.sent + 1 };
}

/** The report for `v` left at `now`. */
export function reported(link: PathLink, quiet: boolean, now: Millis): void {
  link.hearing.reportedQuiet = quiet;
  link.hearing.reportedAt = now;
  link.hearing.sent++;
}

/** The peer told us whether it hears us on the path over `msg.interface` (older reports than the
 *  last one taken are ignored). Returns 1 when that path just became one the peer does not hear
 *  (a new turn, not a repeat), else 0. */
export function onPeerHearing(links: Iterable<PathLink>, msg: PathHearingMessage, now: Millis): number {
  let turns = 0;
  for (const link of links) {
    if (link.iface !== msg.interface || msg.seq <= link.hearing.peerSeq) continue;
    link.hearing.peerSeq = msg.seq;
    if (!msg.hearing && !(now < link.hearing.peerDeafUntil)) turns = 1;
    link.hearing.peerDeafUntil = msg.hearing ? Number.NEGATIVE_INFINITY : now + PEER_DEAF_HOLD_MS;
  }
  return turns;
}

/** A path the peer does not hear us on is quiet and stalled for our sending. */
export function applyPeerHearing(link: PathLink, v: MutablePathView, now: Millis): void {
  if (!(now < link.hearing.peerDeafUntil)) return;
  v.quiet = true;
  v.stalled = true;
}

/** A session's side of it: the per-batch look at each path, and the peer's reports. */
export class PathHearing {
  constructor(
    /** The session's views and paths (the same objects). */
    private readonly views: readonly MutablePathView[],
    private readonly paths: ReadonlyMap<PathId, PathLink>,
    private readonly markDirty: (link: PathLink) => void,
    private readonly counters: { quietTurns: number; hearingReports: number; peerDeafTurns: number },
  ) {}

  /**
   * Once per batch per path, after the view's metrics are current: does the peer answer here
   * (PathLink.watchAnswers), tell it when that changed, then apply what it told us.
   */
  look(link: PathLink, v: MutablePathView, now: Millis): void {
    if (link.watchAnswers(v, now)) this.counters.quietTurns++;
    const msg = hearingReport(link, v, now);
    const via = msg && controlTarget(this.views, this.paths, link);
    if (msg && via?.sendControl(msg)) {
      reported(link, v.quiet, now);
      this.counters.hearingReports++;
      if (!via.dirty) this.markDirty(via);
    }
    applyPeerHearing(link, v, now);
  }

  /** A pathHearing message from the peer (on any path). */
  onMessage(msg: PathHearingMessage, now: Millis): void {
    this.counters.peerDeafTurns += onPeerHearing(this.paths.values(), msg, now);
  }
}
