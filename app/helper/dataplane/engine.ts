// The packet engine: TUN ↔ sessions ↔ QUIC ↔ UDP, all in batches, with ONE timer for everything.
//
// Per TUN batch:  readBatch → classify → route lookup → session.sendIp (scheduler, header, dgramSend)
//                 → flush every connection that got data once → sendmmsg per socket.
// Per UDP batch:  recvmmsg → conn.recvPacket × n → drain DATAGRAMs of the touched connections →
//                 decapsulate, anti-spoof, reorder → TUN writeBatch (or forward to another peer) →
//                 flush those connections once (ACKs).
// Timer:          after every batch the engine asks each connection and each session core for its
//                 next deadline and arms a single setTimeout at the earliest.
import { classify, newFlowInfo } from '../../core/flow.ts';
import { newTransportLocation } from '../../core/ip-packet.ts';
import { RouteTable } from '../../core/route-table.ts';
import type { Millis } from '../../core/types.ts';
import { PacketBatch } from '../io/packet-batch.ts';
import type { TunPort, UdpPort } from '../io/ports.ts';
import { ViewCache } from '../io/view-cache.ts';
import { PacketPool } from './packet-pool.ts';
import type { PathLink } from './path-link.ts';
import { type MinorGc, SendGc } from './send-gc.ts';
import type { PeerSession } from './session.ts';

/** Packets per I/O call: large enough to amortise a syscall and a JS↔C crossing, small enough to keep latency. */
export const BATCH = 64;
/** Slot size: a 1420-byte tunnel MTU plus headroom, rounded up. */
export const SLOT = 2048;
/** Reorder/forward pool: 4096 × 2 KiB = 8 MiB, a fixed ceiling on held packets. */
export const POOL_SLOTS = 4096;
/** Batches handled per readiness callback before yielding to other sockets (fairness). */
const MAX_ROUNDS = 8;
/** Transport stats feed the path metrics this often: fast enough to see a queue build within a few RTTs. */
export const STATS_INTERVAL_MS = 100;
/**
 * After UDP input, connections that only owe ACKs are flushed after this delay, not at once: at a
 * paced 100 Mbit/s a wake-up carries one datagram, and flushing each would send an ACK-only packet
 * (a syscall and a trip through the peer's stack) per one or two datagrams. 1 ms batches ~8 of them
 * and adds 1 ms to the ACK delay, far below QUIC's max_ack_delay (25 ms). Data from the TUN still
 * leaves at once and carries the pending ACKs with it.
 */
export const ACK_COALESCE_MS = 1;

/** Something flushed with the connections (the listener: Retry packets and handshakes). */
export interface Flushable {
  /** Returns the number of packets written. */
  flush(): number;
}

export interface EngineCounters {
  tunRxPackets: number;
  tunTxPackets: number;
  tunTxDropped: number;
  noRouteDrops: number;
  notIpDrops: number;
  forwarded: number;
  loopDrops: number;
}

/** Something with deadlines the engine must serve (a client peer, the server side). */
export interface TimedPart {
  /** Absolute deadline on the engine clock, or null. */
  nextDeadline(now: Millis): number | null;
  onTimer(now: Millis): void;
}

export class Engine {
  readonly counters: EngineCounters = {
    tunRxPackets: 0,
    tunTxPackets: 0,
    tunTxDropped: 0,
    noRouteDrops: 0,
    notIpDrops: 0,
    forwarded: 0,
    loopDrops: 0,
  };
  readonly routes = new RouteTable<PeerSession>();
  readonly sessions = new Set<PeerSession>();
  readonly pool = new PacketPool(POOL_SLOTS, SLOT);
  /** One receive batch for every UDP socket: callbacks run one at a time. */
  readonly rx = new PacketBatch({ capacity: BATCH, slotSize: SLOT });
  private readonly tunIn = new PacketBatch({ capacity: BATCH, slotSize: SLOT, headroom: 16 });
  private readonly tunOut = new PacketBatch({ capacity: BATCH, slotSize: SLOT });
  /** Exact-length views of received datagrams and of pool slots (view-cache.ts). */
  private readonly slices = new ViewCache(SLOT);
  private readonly info = newFlowInfo();
  private readonly loc = newTransportLocation();
  private readonly dirty: PathLink[] = [];
  private readonly parts: TimedPart[] = [];
  private readonly links = new Set<PathLink>();
  private readonly onTunWritable = (): void => this.flushTun();
  private timer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private readonly flushables = new Set<Flushable>();
  private timerAt = Number.POSITIVE_INFINITY;
  private nextStatsAt = 0;
  private stopped = false;
  private pendingRead = false;
  private readonly epoch = performance.now();

  /** The tunnel's own IPv4 address (host order), always delivered to the TUN; 0 = unknown. */
  localV4 = 0;

  /** Young-generation collections paced by packets sent (send-gc.ts). */
  readonly gc: SendGc;

  constructor(
    readonly tun: TunPort,
    minorGc: MinorGc | null = null,
  ) {
    this.gc = new SendGc(minorGc);
    tun.onReadable(() => this.onTunReadable());
  }

  /** Monotonic milliseconds since the engine started. */
  now(): Millis {
    return (performance.now() - this.epoch) as Millis;
  }

  addPart(p: TimedPart): void {
    this.parts.push(p);
  }

  trackLink(link: PathLink): void {
    this.links.add(link);
  }

  untrackLink(link: PathLink): void {
    this.links.delete(link);
  }

  readonly markDirty = (link: PathLink): void => {
    if (link.dirty) return;
    link.dirty = true;
    this.dirty.push(link);
  };

  /** Delivery from a session's reorder buffer: to the TUN, or forward to another peer. */
  readonly deliver = (from: PeerSession, pool: PacketPool, slot: number): void => {
    const off = pool.offset(slot);
    const len = pool.lens[slot] as number;
    // Our own tunnel address first: with a full tunnel every destination maps to the peer.
    const local =
      this.localV4 !== 0 &&
      len >= 20 &&
      (pool.slab[off] ?? 0) >> 4 === 4 &&
      pool.slab.readUInt32BE(off + 16) === this.localV4;
    const target = local ? undefined : this.routes.lookupDestination(pool.slab, len, off);
    if (target !== undefined && target !== from) {
      // Routing node (seed §8.5.2): the destination belongs to another peer.
      if (classify(pool.slab, len, this.info, off, this.loc)) {
        target.sendIp(pool.slab, off, len, this.info, this.now());
        this.counters.forwarded++;
      }
    } else if (target === from) {
      this.counters.loopDrops++;
    } else {
      if (this.tunOut.count >= this.tunOut.capacity) this.flushTun();
      const i = this.tunOut.count;
      if (i < this.tunOut.capacity) {
        const dst = i * SLOT;
        this.tunOut.slab.set(this.slices.view(pool.slab, off, len), dst);
        this.tunOut.offsets[i] = dst;
        this.tunOut.lens[i] = len;
        this.tunOut.count = i + 1;
      } else this.counters.tunTxDropped++;
    }
    pool.release(slot);
  };

  private onTunReadable(): void {
    if (this.stopped) return;
    const now = this.now();
    for (const s of this.sessions) s.refreshViews(now);
    const b = this.tunIn;
    let full = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const n = this.tun.readBatch(b);
      this.counters.tunRxPackets += n;
      for (let i = 0; i < n; i++) {
        const off = b.offsets[i] as number;
        const len = b.lens[i] as number;
        if (!classify(b.slab, len, this.info, off, this.loc)) {
          this.counters.notIpDrops++;
          continue;
        }
        const s = this.routes.lookupDestination(b.slab, len, off);
        if (s === undefined) {
          this.counters.noRouteDrops++;
          continue;
        }
        s.sendIp(b.slab, off, len, this.info, now);
        if (s.wantFlush) {
          // A path reached its bulk queue limit: send what its window takes now, then look again.
          s.wantFlush = false;
          this.flushDirty();
          s.refreshViews(now);
        }
      }
      this.flushDirty();
      full = n === b.capacity;
      if (!full) break;
    }
    // Segments of a super-packet left over after MAX_ROUNDS (only a full last batch can leave
    // some): the fd may be idle, so no readiness callback would come for them.
    if (full && !this.pendingRead && this.tun.readPending?.()) {
      this.pendingRead = true;
      setImmediate(() => {
        this.pendingRead = false;
        this.onTunReadable();
      });
    }
    this.arm();
  }

  /**
   * Reads every pending datagram of a socket into `rx` and hands each to `onPacket`; then the
   * caller's `after` drains DATAGRAMs and flushes. Used by client paths and the listener alike.
   */
  pumpUdp(
    port: UdpPort,
    onPacket: (view: Uint8Array, len: number, ip: number, udpPort: number) => void,
    after: (now: Millis) => void,
  ): void {
    if (this.stopped || port.closed) return;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let n = 0;
      try {
        n = port.recvBatch(this.rx);
      } catch {
        return;
      }
      for (let i = 0; i < n; i++) {
        const len = this.rx.lens[i] as number;
        onPacket(this.slices.view(this.rx.slab, i * SLOT, len), len, this.rx.ipOf(i), this.rx.portOf(i));
      }
      if (n < this.rx.capacity) break;
    }
    const now = this.now();
    after(now);
    this.flushTun();
    if (this.dirty.length > 0 || this.flushables.size > 0) this.scheduleAckFlush();
    this.arm();
  }

  /** Flush `f` with the next flush of the connections. */
  requestFlush(f: Flushable): void {
    this.flushables.add(f);
  }

  private scheduleAckFlush(): void {
    if (this.ackTimer !== null || this.stopped) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.flushDirty();
      this.arm();
    }, ACK_COALESCE_MS);
  }

  /** Flushes every connection that has work, once, then sends each socket's batch. */
  flushDirty(): void {
    // Flushing may run control handlers that queue replies (and mark links dirty again): loop, bounded.
    for (let pass = 0; pass < 4 && this.dirty.length > 0; pass++) {
      const list = this.dirty.splice(0, this.dirty.length);
      const senders = new Set<PathLink['sender']>();
      for (const link of list) {
        link.dirty = false;
        if (!link.closed) this.gc.sent(link.flush());
        senders.add(link.sender);
      }
      for (const s of senders) s.send();
    }
    if (this.flushables.size > 0) {
      const fs = [...this.flushables];
      this.flushables.clear();
      for (const f of fs) this.gc.sent(f.flush());
    }
    this.gc.collectIfDue();
  }

  flushTun(): void {
    const out = this.tunOut;
    if (out.count === 0) return;
    let done = 0;
    try {
      done = this.tun.writeBatch(out, 0);
    } catch {
      done = 0;
    }
    this.counters.tunTxPackets += done;
    this.counters.tunTxDropped += out.count - done;
    out.count = 0;
  }

  /** Arms the single timer at the earliest deadline of every connection, session and part. */
  arm(): void {
    if (this.stopped) return;
    const now = this.now();
    let at = this.nextStatsAt;
    for (const link of this.links) {
      const t = link.conn.timeoutMs();
      if (t !== null && now + t < at) at = now + t;
    }
    for (const s of this.sessions) {
      const t = s.pollTimeout(now);
      if (t !== null && t < at) at = t;
    }
    for (const p of this.parts) {
      const t = p.nextDeadline(now);
      if (t !== null && t < at) at = t;
    }
    if (this.timer !== null && at >= this.timerAt - 0.5) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.ceil(at - now)));
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const now = this.now();
    for (const link of this.links) {
      const t = link.conn.timeoutMs();
      if (t !== null && t <= 0) {
        link.conn.onTimeout();
        this.markDirty(link);
      }
    }
    if (now >= this.nextStatsAt) {
      this.nextStatsAt = now + STATS_INTERVAL_MS;
      for (const s of this.sessions) s.sampleTransport(now);
    }
    for (const p of this.parts) {
      const t = p.nextDeadline(now);
      if (t !== null && t <= now) p.onTimer(now);
    }
    for (const s of this.sessions) s.handleTimeout(now, this.onPathState);
    this.flushDirty();
    this.flushTun();
    this.arm();
  }

  /** Path state changes go to whoever reports status (set by the helper). */
  onPathState: (id: number, state: string) => void = () => {};

  get linkCount(): number {
    return this.links.size;
  }

  allLinks(): IterableIterator<PathLink> {
    return this.links.values();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.tun.onReadable(null);
    this.tun.onWritable(null);
    void this.onTunWritable;
  }
}
