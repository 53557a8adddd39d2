// One path of a session: one QUIC connection over one interface (ARCHITECTURE decision 3).
// A client path owns its UDP socket (bound to its interface); a server path shares the
// listener's socket. Either way it reaches the wire through a UdpSender.
import { ControlFrameReader, encodeControlFrame } from '../../core/control-frame.ts';
import type { ControlMessage, PathKind } from '../../core/control-messages.ts';
import { AckReplay } from '../../core/multipath/ack-replay.ts';
import { AnswerWatch } from '../../core/multipath/answer-watch.ts';
import type { BulkPacer } from '../../core/multipath/bulk-pacer.ts';
import type { HeldBulk } from '../../core/multipath/held-bulk.ts';
import type { MutablePathView } from '../../core/multipath/path-view.ts';
import type { Millis, PathId } from '../../core/types.ts';
import type { UdpPort } from '../io/ports.ts';
import type { QuicConn } from '../quic/conn.ts';
import type { HostPort } from '../quic/types.ts';
import { holdRoom } from './held-send.ts';
import { bulkQueueLimit, gsoBurst } from './send-room.ts';
import type { UdpSender } from './udp-sender.ts';

export interface PathCounters {
  txPackets: number;
  txBytes: number;
  rxPackets: number;
  rxBytes: number;
  /** Datagrams refused by QUIC (send queue full): congestion drops. */
  txRefused: number;
}

export class PathLink {
  /** Set when the hello/helloAck exchange bound this path to a session. */
  pathId: PathId | null = null;
  /** Reorder lane at the receiver (see reorder-lanes.ts); -1 while unbound. */
  lane = -1;
  readonly reader = new ControlFrameReader();
  readonly counters: PathCounters = { txPackets: 0, txBytes: 0, rxPackets: 0, rxBytes: 0, txRefused: 0 };
  /** Queued for a flush at the end of the current batch. */
  dirty = false;
  closed = false;
  /** The last quiche counters read, for per-interval deltas. */
  lastStats: { sentBytes: number; lostBytes: number; recv: number; refused: number } | null = null;
  /** Datagrams in quiche's send queue: read once per batch, then counted up as we queue more. */
  queued = 0;
  /** Bulk rate limit of the latency-aware strategy (bulk-pacer.ts); null for the others. */
  pacer: BulkPacer | null = null;
  /** Bulk waiting for the pacer (held-bulk.ts); null until the path is first paced. */
  held: HeldBulk | null = null;
  /** Bulk may wait here for the pacer (refreshRoom): the scheduler's second choice when no path
   *  has room to send now (PeerSession.pickToHold). */
  canHold = false;
  /** The last bare ACKs and SYNs sent here, sent again elsewhere if this path dies (ack-replay.ts). */
  readonly replay = new AckReplay();
  /** Whether the peer answers what we send here (answer-watch.ts): sent() per datagram, heard
   *  when quiche took a packet in since the last look (watchAnswers). */
  readonly answers = new AnswerWatch();
  private packetsSeen = 0;
  /** The watch's verdict at the last look (the view's `quiet` may also say what the peer told). */
  private quietSeen = false;
  /** Whether each end hears the other here (peer-hearing.ts): what we last told the peer, and
   *  until when the peer's "I do not hear you" holds. */
  readonly hearing = {
    reportedQuiet: false,
    reportedAt: Number.NEGATIVE_INFINITY,
    /** Reports we sent about this path (their seq). */
    sent: 0,
    peerDeafUntil: Number.NEGATIVE_INFINITY,
    /** The seq of the last report of the peer's we took. */
    peerSeq: 0,
  };
  /** Its queue backed up while the peer did not answer here: it takes no bulk until the path
   *  answers again (PathSender.rescueQueued; cleared by PathSender.leaveSilentPaths). */
  stuck = false;
  /** Datagrams in that queue beyond which the path takes no bulk (refreshRoom, send-room.ts bulkQueueLimit). */
  queueLimit = bulkQueueLimit(0);
  /** Most datagrams of one GSO message on this path (refreshRoom, send-room.ts gsoBurst). */
  burst = gsoBurst(0);
  /** Priority and weight the peer gave this path in its hello (server side); they override ours,
   *  since the peer's interface list is what names its failover order. */
  announced: { priority?: number; weight?: number } | null = null;

  constructor(
    readonly conn: QuicConn,
    readonly sender: UdpSender,
    readonly iface: string,
    readonly kind: PathKind,
    /** Our address on this path and the peer's, as quiche sees them. */
    readonly local: HostPort,
    public remote: HostPort,
    /** The socket this path owns (client side); null when it shares the listener's. */
    readonly ownPort: UdpPort | null,
  ) {}

  /**
   * Re-reads what the path may take, once per batch: its queue, bulk limit and GSO burst
   * (send-room.ts), and the view's canSend / canSendUrgent. `throughput` is what the path
   * carries: a path that was never saturated (a fast, clean one) has no capacity estimate but
   * may carry a Gbit/s, and bursts of 8 would cost it CPU.
   */
  refreshRoom(v: MutablePathView, throughput: number, now: Millis): void {
    this.queued = this.conn.dgramQueueLen();
    this.queueLimit = bulkQueueLimit(v.bandwidth);
    this.burst = gsoBurst(v.bandwidth, throughput);
    v.canSendUrgent = this.conn.canSend();
    const room = v.canSendUrgent && this.queued < this.queueLimit;
    v.canSend = room && (this.pacer === null || this.pacer.hasRoom(now));
    this.canHold = room && this.pacer !== null && holdRoom(this);
  }

  /**
   * One look, once per batch, at whether the peer answers on this path: sets the view's `quiet`
   * (answer-watch.ts; the view's srttMs must be current). True when the path just turned quiet.
   */
  watchAnswers(v: MutablePathView, now: Millis): boolean {
    if (this.conn.packetsIn !== this.packetsSeen) {
      this.packetsSeen = this.conn.packetsIn;
      this.answers.heard();
    }
    const was = this.quietSeen;
    v.quiet = this.quietSeen = this.answers.quiet(now, v.srttMs);
    return v.quiet && !was;
  }

  /** Lets quiche write this connection's packets into the sender's batch, in bursts of `burst`. */
  /** Returns the number of packets written. */
  flush(): number {
    const s = this.sender;
    s.burst = this.burst;
    const n = this.conn.flush(s);
    s.burst = gsoBurst(0);
    return n;
  }

  sendControl(msg: ControlMessage): boolean {
    return this.conn.sendControl(encodeControlFrame(msg));
  }
}
