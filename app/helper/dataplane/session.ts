// A session with one peer: every path to it, the multipath core that chooses among them, and the
// receive side (anti-spoofing, reorder, dedup). The same class serves both ends of the tunnel;
// only who creates paths differs (client.ts dials, server.ts accepts).
//
// Send: sendIp() is called once per TUN packet with the packet at `off` in a buffer that has at
// least DATA_HEADER_LEN bytes of headroom before it; the header is written in place and the
// scheduler's path(s) get the datagram. Receive: onDatagram() is called once per QUIC DATAGRAM; released
// packets go to `deliver` (the engine's TUN batch or a forward to another session).
import type { Cidr } from '../../core/cidr.ts';
import type { ControlMessage } from '../../core/control-messages.ts';
import {
  DATA_HEADER_LEN,
  DecodeError,
  dataHeaderFlags,
  decodeHeaderInto,
  encodeHeaderBefore,
  FLAG_COMPRESSED,
  newDecodedHeader,
} from '../../core/encap.ts';
import type { FlowInfo } from '../../core/flow.ts';
import {
  freeLane,
  MultipathScheduler,
  type MutablePathView,
  newPacketInfo,
  newPathView,
  PathManager,
  type PathStateKind,
  type QueueBalance,
  type QuickFlows,
  type ReorderBuffer,
  type SchedulerConfig,
  SpacedCopies,
} from '../../core/multipath/index.ts';
import { RouteTable } from '../../core/route-table.ts';
import type { Millis, NodeId, PathId } from '../../core/types.ts';
import { ViewCache } from '../io/view-cache.ts';
import { controlTarget } from './control-target.ts';
import { SLOT } from './engine.ts';
import { heldDeadline } from './held-send.ts';
import { InnerHeaders } from './inner-headers.ts';
import { onKeepaliveMessage, sendKeepalive } from './keepalive.ts';
import type { PacketPool } from './packet-pool.ts';
import type { PathLink } from './path-link.ts';
import { PathSender } from './path-sender.ts';
import { PathHearing } from './peer-hearing.ts';
import { ReceiveOrder } from './receive-order.ts';
import { newSessionCounters, type SessionCounters } from './session-counters.ts';
import { balanceFor, pacerFor, quickFor, spreadsFlows } from './strategy-aids.ts';
import { samplePath } from './transport-sample.ts';

export type Deliver = (from: PeerSession, pool: PacketPool, slot: number) => void;

export class PeerSession {
  readonly counters: SessionCounters = newSessionCounters();
  readonly paths = new Map<PathId, PathLink>();
  readonly manager = new PathManager();
  scheduler: MultipathScheduler;
  /** Delay equalization, reorder buffer and dedup of what arrives. */
  readonly order: ReceiveOrder;
  /** Session token (hex) once the first path is bound. */
  token: Uint8Array | null = null;
  private readonly allowed = new RouteTable<true>();
  private readonly views: MutablePathView[] = [];
  /** Queues datagrams on the paths, holds paced bulk (path-sender.ts). */
  private readonly tx: PathSender;
  private readonly picked: PathId[] = [0 as PathId, 0 as PathId, 0 as PathId, 0 as PathId];
  /** Exact-length views of the datagrams we send and of received payloads (view-cache.ts). */
  private readonly slices = new ViewCache(SLOT);
  private readonly pkt = newPacketInfo();
  /** Redundant copies that wait for their turn (spaced-copies.ts). */
  private readonly spaced = new SpacedCopies<Uint8Array>();
  private readonly hdr = newDecodedHeader();
  private readonly encHdr = { flags: 0, flowId: 0, seq: 0 };
  private seq = 0;
  private nextLocalPathId = 0;
  /** Inner-header compression, both directions (inner-headers.ts). */
  private readonly headers: InnerHeaders;
  /** Whether each end hears the other on each path (peer-hearing.ts). */
  private readonly hearing: PathHearing;
  /** Queue balancing of the weighted strategy (queue-balance.ts); null for the others. */
  private balance: QueueBalance | null = null;
  private readonly queues = new Map<PathId, number>();
  /** FLAG_SPREAD on what we send: our strategy spreads every flow over the paths. */
  private spread = false;
  /** Interactive flows that skip the spreading (quick-flows.ts); null unless weighted. */
  private quick: QuickFlows | null = null;
  /** The mode and strategy the peer asked for in a `schedule` message (schedule-wire.ts); they
   *  replace our own config for this session. Null: the peer announced none (an older build). */
  peerSchedule: SchedulerConfig | null = null;

  constructor(
    readonly nodeId: NodeId,
    allowedIps: readonly Cidr[],
    schedulerConfig: SchedulerConfig,
    private readonly pool: PacketPool,
    private readonly deliver: Deliver,
    private readonly markDirty: (link: PathLink) => void,
    /** Per-interface config weight (seed §8.8.3 [multipath.weights]). */
    private readonly weightOf: (iface: string) => number,
    /** Lower = preferred (primary in failover mode): the configured interface order. */
    private readonly priorityOf: (iface: string) => number,
  ) {
    for (const c of allowedIps) this.allowed.add(c, true);
    // Copies the reorder buffer drops (redundant mode) give their pool slot back.
    this.order = new ReceiveOrder((slot) => this.pool.release(slot));
    this.scheduler = new MultipathScheduler(schedulerConfig);
    this.tx = new PathSender(this.views, this.paths, markDirty, this.counters);
    this.headers = new InnerHeaders(() => controlTarget(this.views, this.paths), markDirty, this.counters);
    this.hearing = new PathHearing(this.views, this.paths, markDirty, this.counters);
    this.applyStrategy();
  }

  /**
   * A new session with the same peer began (it restarted, or we did): its sequence numbers start
   * over, so the old dedup window would take every new packet for a duplicate. Held packets of
   * the old session are dropped and their pool slots returned.
   */
  resetReceive(now: Millis): void {
    const lanes = [...this.paths.values()].map((l) => l.lane);
    this.order.reset(now, lanes, (slot) => this.pool.release(slot));
    this.updateReorderMode(now);
    // Header-compression contexts belong to the old session, in both directions.
    this.headers.reset();
  }

  /** Compress inner headers toward the peer (it announced the "hc-v1" feature) or not. */
  setHeaderCompression(on: boolean): void {
    this.headers.setEnabled(on);
  }

  /** A path reached its bulk queue limit: the engine flushes before the next packet. */
  get wantFlush(): boolean {
    return this.tx.wantFlush;
  }

  set wantFlush(v: boolean) {
    this.tx.wantFlush = v;
  }

  /** The reorder buffer (its counters are reported). */
  get reorder(): ReorderBuffer<number> {
    return this.order.buffer;
  }

  setScheduler(config: SchedulerConfig): void {
    this.scheduler = new MultipathScheduler(config);
    this.applyStrategy();
    for (const link of this.paths.values()) link.pacer = pacerFor(this.scheduler.config.strategy);
  }

  /** The strategy's helpers (strategy-aids.ts): queue balancing, spreading, interactive flows. */
  private applyStrategy(): void {
    this.balance = balanceFor(this.scheduler.config.strategy);
    this.spread = spreadsFlows(this.scheduler.config);
    this.quick = quickFor(this.scheduler.config);
  }

  /** Binds an established, hello-verified path to this session. */
  addPath(link: PathLink, now: Millis): PathId {
    const id = (link.pathId ?? this.nextLocalPathId++) as PathId;
    link.pathId = id;
    link.lane = freeLane(Array.from(this.paths.values(), (l) => l.lane));
    link.pacer = pacerFor(this.scheduler.config.strategy);
    this.order.openLane(link.lane, now);
    this.paths.set(id, link);
    const own = this.pathConfigOf(link.iface);
    this.manager.addPath(
      id,
      { priority: link.announced?.priority ?? own.priority, weight: link.announced?.weight ?? own.weight },
      now,
    );
    this.views.push(newPathView(id));
    this.refreshViews(now);
    return id;
  }

  /** Our configured priority and weight of a path on `iface` (sent in the path's hello). */
  pathConfigOf(iface: string): { priority: number; weight: number } {
    return { priority: this.priorityOf(iface), weight: this.weightOf(iface) };
  }

  /** Local id to give the next path (server side assigns it in helloAck; client mirrors it). */
  allocatePathId(): PathId {
    return this.nextLocalPathId++ as PathId;
  }

  removePath(link: PathLink, now: Millis): void {
    const id = link.pathId;
    if (id === null || this.paths.get(id) !== link) return;
    this.paths.delete(id);
    this.order.closeLane(link.lane, now);
    link.lane = -1;
    this.manager.removePath(id, now);
    // Its payload views: a session that re-dials paths would otherwise fill the cache with dead buffers.
    this.slices.forget(link.conn.datagramBuffer);
    const i = this.views.findIndex((v) => v.id === id);
    if (i >= 0) this.views.splice(i, 1);
    this.tx.rescueQueued(link, now);
    this.tx.replayFrom(link, now);
    link.held?.clear();
    this.updateReorderMode(now);
  }

  /** Pulls path state and metrics into the scheduler's views; once per batch, not per packet. */
  refreshViews(now: Millis): void {
    for (const link of this.paths.values()) this.tx.drainHeld(link, now);
    for (const v of this.views) {
      this.manager.writeView(v, now);
      v.balance = this.balance?.factorOf(v.id) ?? 1;
      const link = this.paths.get(v.id);
      if (link) {
        this.hearing.look(link, v, now);
        link.refreshRoom(v, this.manager.throughput(v.id), now);
      } else {
        v.canSend = false;
        v.canSendUrgent = false;
      }
    }
    this.tx.leaveSilentPaths(now);
    this.updateReorderMode(now);
  }

  /** The path's queue-balancing share factor, or null when the strategy does not balance. */
  balanceOf(id: PathId): number | null {
    return this.balance ? this.balance.factorOf(id) : null;
  }

  /** Wait (ms) that spread packets arriving on the path get from the delay equalization. */
  equalizeMsOf(id: PathId): number {
    const link = this.paths.get(id);
    return link && this.spread ? this.order.delayOf(link.lane) : 0;
  }

  stateOf(id: PathId): PathStateKind | undefined {
    return this.manager.state(id)?.kind;
  }

  /**
   * Sends one IP packet: buf[off, off+len) with DATA_HEADER_LEN bytes of headroom before `off`.
   * Returns the number of paths it went out on (0 = dropped, counted).
   */
  sendIp(buf: Uint8Array, off: number, len: number, info: FlowInfo, now: Millis): number {
    const pkt = this.pkt;
    const saving = this.headers.compress(buf, off, len, info.flowId, now);
    off += saving;
    len -= saving;
    pkt.flowId = info.flowId;
    pkt.size = len + DATA_HEADER_LEN;
    pkt.interactive = info.interactive;
    pkt.critical = info.interactive;
    const bareAckOrSyn = info.ackOnly || info.synOnly;
    pkt.fastLane = bareAckOrSyn || this.quick?.isQuick(info, now) === true;
    let n = this.scheduler.pick(pkt, this.views, now, this.picked);
    if (n === 0 && !pkt.interactive && !pkt.fastLane)
      n = this.tx.pickToHold(this.scheduler, pkt, now, this.picked);
    if (n === 0) {
      this.counters.noPathDrops++;
      return 0;
    }
    const h = this.encHdr;
    // A bare ACK or SYN, or a packet of an interactive flow (quick-flows.ts), is not evened out
    // at the receiver: the spreading strategies send it on the fastest path (weighted.ts).
    h.flags = dataHeaderFlags(info.interactive, n > 1, this.spread && !pkt.fastLane, saving > 0);
    h.seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    const start = encodeHeaderBefore(buf, off, h);
    const total = off + len - start;
    const datagram = this.slices.view(buf, start, total);
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const link = this.paths.get(this.picked[i] as PathId);
      if (link && this.tx.send(link, datagram, 0, total, pkt, now)) {
        sent++;
        if (bareAckOrSyn) link.replay.record(datagram, 0, total, info.flowId, now);
      }
    }
    if (sent === 0) this.counters.noPathDrops++;
    else {
      this.counters.txPackets++;
      if (saving > 0) this.counters.compressedTx++;
      this.counters.redundantCopies += sent - 1;
      // Copies wanted beyond the paths that took one now: later, spaced, on the fastest path.
      const later = this.scheduler.copiesFor(pkt) - sent;
      if (later > 0) this.spaced.add(buf.slice(start, start + total), later, now);
    }
    return sent;
  }

  /** One received DATAGRAM (buf is reused by the caller after return). */
  onDatagram(link: PathLink, buf: Uint8Array, len: number, now: Millis): void {
    link.counters.rxPackets++;
    link.counters.rxBytes += len;
    const h = this.hdr;
    if (decodeHeaderInto(buf, len, h) !== DecodeError.ok) {
      this.counters.badHeaderDrops++;
      return;
    }
    if (h.flags & FLAG_COMPRESSED) {
      this.onCompressed(link, buf, now);
      return;
    }
    if (this.allowed.lookupSource(buf, h.payloadLength, h.payloadOffset) !== true) {
      this.counters.spoofDrops++;
      return;
    }
    this.counters.rxPackets++;
    const payload = this.slices.view(buf, h.payloadOffset, h.payloadLength);
    const slot = this.pool.store(payload, 0, payload.length);
    if (slot < 0) return; // pool exhausted: overload drop (counted by the engine via pool stats)
    this.order.pushArrival(h, slot, now, link.lane, this.spread);
    this.drainReorder(now);
  }

  /** A datagram whose inner headers are compressed: rebuilt straight into a pool slot. */
  private onCompressed(link: PathLink, buf: Uint8Array, now: Millis): void {
    const h = this.hdr;
    const pool = this.pool;
    const payload = this.slices.view(buf, h.payloadOffset, h.payloadLength);
    const slot = this.headers.rebuild(link, payload, pool, now);
    if (slot < 0) return;
    if (this.allowed.lookupSource(pool.slab, pool.lens[slot] as number, pool.offset(slot)) !== true) {
      pool.release(slot);
      this.counters.spoofDrops++;
      return;
    }
    this.counters.rxPackets++;
    this.counters.compressedRx++;
    this.order.pushArrival(h, slot, now, link.lane, this.spread);
    this.drainReorder(now);
  }

  drainReorder(now: Millis): void {
    for (let s = this.order.poll(now); s !== undefined; s = this.order.poll(now))
      this.deliver(this, this.pool, s);
  }

  /** Earliest deadline of this session (path manager, reorder buffer, spaced copies, held bulk). */
  pollTimeout(now: Millis): Millis | null {
    let at = earliest(earliest(this.manager.pollTimeout(), this.order.pollTimeout()), this.spaced.nextAt());
    for (const link of this.paths.values()) at = earliest(at, heldDeadline(link, now) as Millis | null);
    return at;
  }

  /** Runs timers and turns path-manager events into probes; returns state changes for reporting. */
  handleTimeout(now: Millis, onStateChange: (id: PathId, state: PathStateKind) => void): void {
    this.manager.handleTimeout(now);
    this.pumpEvents(now, onStateChange);
    this.tx.sendSpacedCopies(this.spaced, now);
    this.drainReorder(now);
  }

  pumpEvents(now: Millis, onStateChange: (id: PathId, state: PathStateKind) => void): void {
    for (let e = this.manager.pollEvent(); e !== undefined; e = this.manager.pollEvent()) {
      if (e.type === 'send-probe') {
        const link = this.paths.get(e.pathId);
        if (link) sendKeepalive(this.manager, e.pathId, link, e.seq, now, this.markDirty);
      } else {
        onStateChange(e.pathId, e.state.kind);
      }
    }
    this.refreshViews(now);
  }

  /** Control messages every path handles the same way on both ends. */
  onControl(link: PathLink, msg: ControlMessage, now: Millis): void {
    if (msg.type === 'pathHearing') this.hearing.onMessage(msg, now);
    else if (!this.headers.onControl(link, msg, now))
      onKeepaliveMessage(this.manager, link, msg, now, this.markDirty);
  }

  /** Feeds quiche's transport stats of every path into the metrics (transport-sample.ts). */
  sampleTransport(now: Millis): void {
    for (const [id, link] of this.paths) {
      const q = samplePath(this.manager, id, link, now, this.balance !== null);
      if (this.balance) this.queues.set(id, q);
    }
    if (this.balance) {
      this.balance.update(this.queues);
      this.queues.clear();
    }
  }

  /** Reorder hold time, bypass and equalizing waits from the paths' RTTs. */
  private updateReorderMode(now: Millis): void {
    this.order.update(this.views, this.laneOf, now);
  }

  private readonly laneOf = (id: PathId): number => this.paths.get(id)?.lane ?? -1;
}

function earliest(a: Millis | null, b: Millis | null): Millis | null {
  if (a === null) return b;
  if (b === null) return a;
  return (a < b ? a : b) as Millis;
}
