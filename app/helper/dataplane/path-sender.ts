// Puts a session's encapsulated datagrams on its paths: quiche's DATAGRAM queue, the bulk room
// the scheduler reads in the views (send-room.ts), and the paced paths' held bulk (held-send.ts).
// The session decides which paths; this decides whether and when each datagram goes. It also
// sends the second copies the session does not schedule: bare ACKs and SYNs again after their
// path died (ack-replay.ts), and the spaced redundant copies (spaced-copies.ts).
import { FLAG_INTERACTIVE, FLAG_REDUNDANT, FLAG_SPREAD } from '../../core/encap.ts';
import {
  lowestRtt,
  type MultipathScheduler,
  type MutablePathView,
  newPacketInfo,
  type PacketInfo,
  type SpacedCopies,
} from '../../core/multipath/index.ts';
import type { Millis, PathId } from '../../core/types.ts';
import { drainHeld, heldDrainMs, holdBulk, mustHold } from './held-send.ts';
import type { PathLink } from './path-link.ts';
import { replayTarget } from './replay-target.ts';

export class PathSender {
  /** A path reached its bulk queue limit: the engine flushes before the next packet. */
  wantFlush = false;
  private drainLink: PathLink | null = null;
  private drainNow = 0 as Millis;
  private readonly savedRoom: boolean[] = [];
  /** What the second copies are to the paths: interactive and critical (urgent room). */
  private readonly urgent = newPacketInfo(true);
  /** What rescued datagrams are to the paths: bulk (PathSender.rescueQueued). */
  private readonly bulk = newPacketInfo(false);

  constructor(
    /** The session's views (the same array; the session adds and removes entries). */
    private readonly views: readonly MutablePathView[],
    /** The session's paths by id (the same map). */
    private readonly paths: ReadonlyMap<PathId, PathLink>,
    private readonly markDirty: (link: PathLink) => void,
    /** Where held bulk and second copies are counted (the session's counters). */
    private readonly counters: {
      bulkHeld: number;
      ackReplays: number;
      redundantCopies: number;
      rescuedDatagrams: number;
    },
  ) {}

  /**
   * Queues one datagram on `link`, or holds it there when it is bulk and the path's pacer has no
   * room. False when it was neither (quiche refused it, or the held queue is full): a drop.
   */
  send(link: PathLink, buf: Uint8Array, start: number, total: number, pkt: PacketInfo, now: Millis): boolean {
    const bulk = link.pacer !== null && !pkt.interactive && !pkt.critical && !pkt.fastLane;
    if (bulk && mustHold(link, now)) {
      const r = holdBulk(link, buf, start, total);
      if (r !== 'held') this.block(link, false);
      if (r === 'refused') return false;
      this.counters.bulkHeld++;
      return true;
    }
    if (!link.conn.sendDatagram(buf, start, total)) {
      link.counters.txRefused++;
      this.block(link, true);
      return false;
    }
    link.counters.txPackets++;
    link.counters.txBytes += total;
    link.answers.sent(now);
    if (!link.dirty) this.markDirty(link);
    // Counted, not read back: the queue is re-read once per batch (refreshViews).
    if (++link.queued >= link.queueLimit) {
      this.block(link, false);
      this.wantFlush = true;
    }
    // A dry bucket: the scheduler sends bulk elsewhere while another path has room, else it
    // waits in this path's held queue (PeerSession.pickToHold).
    if (bulk && link.pacer !== null && !link.pacer.consume(now, total)) this.block(link, false, true);
    return true;
  }

  /**
   * No path has room to send this bulk packet now: it waits in the held queue of a paced path
   * (PathLink.canHold) instead of being dropped. First choice: of the pacing paths, the queue that
   * drains first at its pacer's rate, so bulk splits by the pacers' rates however bursty it
   * arrives; the scheduler still decides whether that path may carry this packet. If it may not
   * (or no pacing path can hold), the scheduler chooses among every path that can hold.
   * Measured: held by the scheduler's own choice, one flow over 50 + 20 Mbit/s paths ran at
   * 36 Mbit/s (the even split); and with 2 ms pacer buckets, bursts of 8 ms kept the 20 Mbit/s
   * path's queue near full (44 kB on average, 25 ms of its rate) while the 50 Mbit/s path's held
   * 6 kB.
   * Returns what the scheduler's pick returns (paths in `out`).
   */
  pickToHold(scheduler: MultipathScheduler, pkt: PacketInfo, now: Millis, out: PathId[]): number {
    const views = this.views;
    let first = -1;
    let firstDrainMs = Number.POSITIVE_INFINITY;
    let any = false;
    for (let i = 0; i < views.length; i++) {
      const link = this.paths.get((views[i] as MutablePathView).id);
      if (!link?.canHold) continue;
      any = true;
      // A path that is not pacing has no drain time (infinite): never the first choice.
      const drainMs = heldDrainMs(link);
      if (drainMs < firstDrainMs) {
        firstDrainMs = drainMs;
        first = i;
      }
    }
    if (!any) return 0;
    const saved = this.savedRoom;
    for (let i = 0; i < views.length; i++) {
      const v = views[i] as MutablePathView;
      saved[i] = v.canSend;
      v.canSend = i === first;
    }
    let n = first < 0 ? 0 : scheduler.pick(pkt, views, now, out);
    if (n === 0) {
      for (const v of views) v.canSend = this.paths.get(v.id)?.canHold ?? false;
      n = scheduler.pick(pkt, views, now, out);
    }
    for (let i = 0; i < views.length; i++) (views[i] as MutablePathView).canSend = saved[i] as boolean;
    return n;
  }

  /**
   * The path died (removed, failed or stalled): the newest bare ACK or SYN of each flow it carried
   * lately goes out again on the fastest path that is still usable (ack-replay.ts). Same sequence
   * number, marked interactive and redundant: the peer drops it if the original arrived, and
   * delivers it at once if not.
   */
  replayFrom(dead: PathLink, now: Millis): void {
    if (dead.replay.size === 0) return;
    const via = replayTarget(this.views, this.paths, dead);
    if (!via) return;
    dead.replay.replay(now, (buf, start, length) => {
      buf[start + 1] = ((buf[start + 1] as number) | FLAG_INTERACTIVE | FLAG_REDUNDANT) & ~FLAG_SPREAD;
      this.urgent.size = length;
      if (this.send(via, buf, start, length, this.urgent, now)) this.counters.ackReplays++;
    });
  }

  /**
   * Once per batch, after every view is current: from each path that stopped answering, what
   * sits in its queue goes elsewhere (rescueQueued); from each dead one (stalled or failed), its
   * last bare ACKs too (replayFrom). A path that answers again takes bulk again.
   */
  leaveSilentPaths(now: Millis): void {
    for (const v of this.views) {
      const dead = v.stalled || v.state === 'failed';
      const link = this.paths.get(v.id);
      if (!link) continue;
      if (!dead && !v.quiet) {
        link.stuck = false;
        continue;
      }
      this.rescueQueued(link, now);
      if (dead && link.replay.size > 0) this.replayFrom(link, now);
    }
  }

  /**
   * The path stopped answering (quiet or stalled, or the peer does not hear us there): what sits
   * in its quiche queue will not leave (its window stays full until ACKs come back) or would go
   * into a dead direction. Those datagrams never left, so each goes out on the fastest path that
   * answers and has urgent room (they are older than any bulk still to come), with its sequence
   * number: the peer's reorder buffer puts it back in place, or delivers it late, instead of the
   * inner TCP losing it. What no path has room for stays. The path then takes no new bulk until
   * it answers again (`stuck`). When no other path answers either, nothing changes. Measured:
   * README, "How it works".
   */
  rescueQueued(dead: PathLink, now: Millis): void {
    if (dead.queued === 0 && !dead.stuck) return;
    // No path answers (the whole network hiccups): nowhere better; it keeps its queue and bulk.
    const via = replayTarget(this.views, this.paths, dead, true);
    if (!via) return;
    dead.stuck = true;
    this.block(dead, false);
    if (dead.queued === 0) return;
    const bulk = this.bulk;
    dead.conn.takeQueued((d) => {
      bulk.size = d.length;
      if (!via.conn.canSend() || !this.send(via, d, 0, d.length, bulk, now)) return false;
      this.counters.rescuedDatagrams++;
      return true;
    });
    dead.queued = dead.conn.dgramQueueLen();
  }

  /** Sends the spaced copies now due, each on the fastest path that has urgent room then. */
  sendSpacedCopies(spaced: SpacedCopies<Uint8Array>, now: Millis): void {
    spaced.takeDue(now, (datagram) => {
      this.urgent.size = datagram.length;
      const i = lowestRtt(this.views, true);
      if (i < 0) return;
      const link = this.paths.get((this.views[i] as MutablePathView).id);
      if (link && this.send(link, datagram, 0, datagram.length, this.urgent, now))
        this.counters.redundantCopies++;
    });
  }

  /** Sends what the path's held bulk may send now, in order (held-send.ts). */
  drainHeld(link: PathLink, now: Millis): void {
    if (link.held === null || link.held.size === 0) return;
    this.drainLink = link;
    this.drainNow = now;
    drainHeld(link, now, this.sendHeld);
    this.drainLink = null;
  }

  /** The path has no bulk room (or none at all: `urgentToo`) until the next refresh; nor room
   *  to hold bulk, unless only its pacer ran dry (`canStillHold`). */
  block(link: PathLink, urgentToo: boolean, canStillHold = false): void {
    if (!canStillHold) link.canHold = false;
    for (const v of this.views) {
      if (v.id !== link.pathId) continue;
      v.canSend = false;
      if (urgentToo) v.canSendUrgent = false;
    }
  }

  /** One held datagram into quiche (bound once: no closure per packet). */
  private readonly sendHeld = (buf: Uint8Array, start: number, len: number): boolean => {
    const link = this.drainLink as PathLink;
    if (!link.conn.sendDatagram(buf, start, len)) {
      link.counters.txRefused++;
      return false;
    }
    link.counters.txPackets++;
    link.counters.txBytes += len;
    link.queued++;
    link.pacer?.consume(this.drainNow, len);
    if (!link.dirty) this.markDirty(link);
    return true;
  };
}
