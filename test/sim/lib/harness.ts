// Deterministic multipath simulator: the pure core (PathManager, MultipathScheduler,
// ReorderBuffer, SessionMachine) driven exactly as the helper drives it, over simulated links in
// virtual time. One direction carries data (sender → receiver); acks and probe answers come back
// on each path's reverse link.
//
// Scale: bulk traffic moves in `segment`-byte units (default 12.5 kB, ten 1250-byte datagrams
// sent back to back, like one GSO batch), so a minute at 200 Mbit/s is ~120 k segments and runs
// in well under a second. Path-level behaviour (shares, failover, RTT, reordering) does not
// depend on the datagram granularity. Interactive packets are small single datagrams.

import { MultipathScheduler } from '../../../app/core/multipath/multipath-scheduler.ts';
import { PathManager } from '../../../app/core/multipath/path-manager.ts';
import type { PathStateKind } from '../../../app/core/multipath/path-state.ts';
import type { MutablePathView } from '../../../app/core/multipath/path-view.ts';
import { ReorderBuffer } from '../../../app/core/multipath/reorder-buffer.ts';
import { reorderPolicy } from '../../../app/core/multipath/reorder-policy.ts';
import type { PacketInfo } from '../../../app/core/multipath/scheduler.ts';
import { SessionMachine, type SessionStateKind } from '../../../app/core/multipath/session-machine.ts';
import { REDUNDANT_SPACING_MS } from '../../../app/core/multipath/spaced-copies.ts';
import { DEFAULT_PATH_TUNING } from '../../../app/core/multipath/tuning.ts';
import { flowId, type Millis, type PathId, pathId } from '../../../app/core/types.ts';
import { EventLoop } from './event-loop.ts';
import { Prng } from './prng.ts';
import { makePath, type Pkt, type SimConfig, type SimPath, type SimPathConfig } from './sim-types.ts';

export type { Pkt, SimConfig, SimPath, SimPathConfig } from './sim-types.ts';
export { deltas, mbps, percentile } from './sim-types.ts';

const STATS_INTERVAL_MS = 100;
const PROBE_SIZE = 60;
const ACK_SIZE = 40;
const INTERACTIVE_QUEUE = 64;
/** Bulk backlog the source may accumulate when all windows are full, in segments. */
const BULK_BACKLOG_SEGMENTS = 32;
/** Float slack in the bulk credit: a wake-up computed to the byte must find a whole segment. */
const CREDIT_EPSILON = 1e-3;

export class Sim {
  readonly loop = new EventLoop();
  readonly rng: Prng;
  readonly pm: PathManager;
  readonly sched: MultipathScheduler;
  readonly reorder: ReorderBuffer<Pkt>;
  readonly session = new SessionMachine();
  readonly paths: SimPath[] = [];
  readonly views: MutablePathView[] = [];
  readonly stateLog: { t: number; path: number; from: PathStateKind; to: PathStateKind }[] = [];
  readonly sessionLog: { t: number; to: SessionStateKind }[] = [];
  readonly connectAttempts: { t: number; attempt: number }[] = [];
  /** Bytes delivered by the reorder buffer (goodput) per sample interval. */
  readonly goodputSeries: number[] = [];
  readonly interactive = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    delays: [] as number[],
    duplicatesDelivered: 0,
  };
  bulkOfferedDropped = 0;
  /** Bulk packets delivered by the reorder buffer in / out of sequence order. */
  inOrder = 0;
  outOfOrder = 0;
  /** The same, as they arrived from the network (what the receiver would see without the buffer). */
  arrivalInOrder = 0;
  arrivalOutOfOrder = 0;
  private lastDeliveredSeq = -1;
  private lastArrivedSeq = -1;
  private nextSeq = 0;
  private readonly iq: Pkt[] = [];
  private bulkCredit = 0;
  private bulkCreditAt = 0;
  private bulkWakeArmed = false;
  private readonly segment: number;
  private armedAt = Number.POSITIVE_INFINITY;
  private goodputNow = 0;
  private readonly out: PathId[] = [pathId(0), pathId(0), pathId(0), pathId(0)];
  private readonly info: PacketInfo = {
    flowId: flowId(0),
    size: 0,
    interactive: false,
    critical: false,
    fastLane: false,
  };

  constructor(readonly config: SimConfig) {
    this.rng = new Prng(config.seed);
    this.pm = new PathManager({ ...DEFAULT_PATH_TUNING, ...config.tuning });
    this.sched = new MultipathScheduler(config.scheduler);
    this.reorder = new ReorderBuffer<Pkt>(config.reorder?.capacity ?? 256, 50);
    this.segment = config.bulk?.segment ?? 12_500;
    for (const [i, pc] of config.paths.entries()) {
      this.paths.push(makePath(this.loop, this.rng, pc, pathId(i), this.segment));
    }
    for (const p of this.paths) this.views.push(p.view);
    for (const p of this.paths) this.reorder.lanes.open(p.view.id, this.loop.now);
    this.session.requestConnect(this.loop.now);
    this.drainSession();
    this.every(STATS_INTERVAL_MS, () => this.stats());
    const sampleMs = config.sampleMs ?? 500;
    this.every(sampleMs, () => this.sample());
    const ia = config.interactive;
    if (ia) this.loop.at(ia.startMs ?? 1000, () => this.every(ia.intervalMs, () => this.interactiveTick()));
    if (config.bulk) {
      this.bulkCreditAt = config.bulk.startMs ?? 1000;
      this.loop.at(this.bulkCreditAt, () => this.trySend());
    }
    this.arm();
  }

  run(untilMs: number): void {
    this.loop.run(untilMs);
  }

  /** Schedules a scenario action (outage, rate change) at virtual time `t`. */
  at(t: number, fn: () => void): void {
    this.loop.at(t, () => {
      fn();
      this.trySend();
      this.arm();
    });
  }

  /** Takes both directions of path i down or up (an outage the helper does NOT get told about). */
  setPathUp(i: number, up: boolean): void {
    const p = this.paths[i] as SimPath;
    p.link.setUp(up);
    p.rev.setUp(up);
  }

  // ---- sources -----------------------------------------------------------------------------

  private interactiveTick(): void {
    const ia = this.config.interactive;
    if (!ia) return;
    const flows = ia.flows ?? 1;
    const pkt = this.newPkt(ia.size ?? 100, true, 1 + (this.interactive.sent % flows));
    this.interactive.sent++;
    if (this.iq.length >= INTERACTIVE_QUEUE) this.interactive.dropped++;
    else this.iq.push(pkt);
    this.trySend();
  }

  private newPkt(size: number, interactive: boolean, flow: number): Pkt {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) >>> 0;
    return { seq, size, interactive, createdAt: this.loop.now, flow, deliveries: 0 };
  }

  private refillBulk(): void {
    const b = this.config.bulk;
    if (!b || this.loop.now < this.bulkCreditAt) return;
    this.bulkCredit += ((this.loop.now - this.bulkCreditAt) * b.rateBps) / 8000;
    this.bulkCreditAt = this.loop.now;
    const cap = BULK_BACKLOG_SEGMENTS * this.segment;
    if (this.bulkCredit > cap) {
      this.bulkOfferedDropped += this.bulkCredit - cap;
      this.bulkCredit = cap;
    }
  }

  // ---- sender ------------------------------------------------------------------------------

  private pick(size: number, interactive: boolean, flow: number): number {
    const now = this.loop.now;
    for (const p of this.paths) {
      this.pm.writeView(p.view, now);
      p.view.canSend = p.cc.canSend(size, false);
      p.view.canSendUrgent = p.cc.canSend(size, true);
      if (!(interactive ? p.view.canSendUrgent : p.view.canSend) && p.view.state === 'active')
        p.blocked = true;
    }
    const info = this.info;
    info.size = size;
    info.interactive = interactive;
    info.critical = interactive && this.config.interactive?.critical === true;
    info.flowId = flowId(flow);
    return this.sched.pick(info, this.views, now, this.out);
  }

  private trySend(): void {
    this.refillBulk();
    for (;;) {
      const head = this.iq[0];
      if (head) {
        const n = this.pick(head.size, true, head.flow);
        if (n > 0) {
          this.iq.shift();
          for (let k = 0; k < n; k++) this.transmit(head, this.out[k] as PathId);
          this.spaceCopies(head, this.sched.copiesFor(this.info) - n);
          continue;
        }
      }
      if (this.config.bulk && this.bulkCredit + CREDIT_EPSILON >= this.segment) {
        const n = this.pick(this.segment, false, 0);
        if (n > 0) {
          this.bulkCredit -= this.segment;
          const pkt = this.newPkt(this.segment, false, 0);
          for (let k = 0; k < n; k++) this.transmit(pkt, this.out[k] as PathId);
          continue;
        }
      }
      break;
    }
    const b = this.config.bulk;
    if (b && this.bulkCredit + CREDIT_EPSILON < this.segment && !this.bulkWakeArmed) {
      this.bulkWakeArmed = true;
      const dt = ((this.segment - this.bulkCredit) * 8000) / b.rateBps;
      this.loop.at(Math.max(this.loop.now, this.bulkCreditAt) + dt, () => {
        this.bulkWakeArmed = false;
        this.trySend();
      });
    }
    this.arm();
  }

  /** Copies beyond the paths that took one (redundant): REDUNDANT_SPACING_MS apart, as the helper does. */
  private spaceCopies(pkt: Pkt, count: number): void {
    for (let k = 1; k <= count; k++)
      this.loop.at(this.loop.now + k * REDUNDANT_SPACING_MS, () => {
        if (this.pick(pkt.size, true, pkt.flow) > 0) this.transmit(pkt, this.out[0] as PathId);
      });
  }

  private transmit(pkt: Pkt, id: PathId): void {
    const p = this.paths[id] as SimPath;
    const sentAt = this.loop.now;
    p.cc.onSend(pkt.size);
    p.sentPkts++;
    if (pkt.interactive) p.interactiveSent++;
    this.pm.handleTrafficSent(id, pkt.size, sentAt);
    const lost = (): void => {
      const rto = (Number.isNaN(p.srtt) ? 2 * p.link.config.delayMs + 50 : p.srtt) * 1.25 + 5;
      this.loop.at(Math.max(this.loop.now, sentAt + rto), () => {
        p.cc.onLoss(pkt.size, sentAt, this.loop.now);
        p.lostPkts++;
        this.trySend();
      });
    };
    p.link.send(
      pkt.size,
      () => {
        this.receive(pkt, p);
        p.rev.send(ACK_SIZE, () => this.acked(pkt, p, sentAt), lost);
      },
      lost,
    );
  }

  private acked(pkt: Pkt, p: SimPath, sentAt: number): void {
    const now = this.loop.now;
    const rtt = now - sentAt;
    p.srtt = Number.isNaN(p.srtt) ? rtt : p.srtt + (rtt - p.srtt) / 8;
    p.cc.onAck(pkt.size);
    p.ackedSinceStats += pkt.size;
    this.pm.handleTrafficAcked(p.id, pkt.size, now);
    this.trySend();
  }

  private stats(): void {
    const now = this.loop.now;
    for (const p of this.paths) {
      this.pm.handleStats(
        p.id,
        {
          rttMs: p.srtt,
          cwnd: p.cc.cwnd,
          bytesInFlight: p.cc.inflight,
          lost: p.lostPkts,
          sent: p.sentPkts,
          deliveryRate: (p.ackedSinceStats * 1000) / STATS_INTERVAL_MS,
          cwndLimited: p.blocked,
        },
        now,
      );
      p.ackedSinceStats = 0;
      p.blocked = false;
    }
    this.updateReorderPolicy();
    this.drainPm();
  }

  // ---- receiver ----------------------------------------------------------------------------

  private receive(pkt: Pkt, p: SimPath): void {
    p.deliveredBytes += pkt.size;
    if (!pkt.interactive) {
      if (pkt.seq > this.lastArrivedSeq) this.arrivalInOrder++;
      else this.arrivalOutOfOrder++;
      this.lastArrivedSeq = Math.max(this.lastArrivedSeq, pkt.seq);
    }
    this.reorder.push(pkt.seq, pkt, this.loop.now, pkt.interactive, p.view.id);
    this.drainReorder();
  }

  private drainReorder(): void {
    const now = this.loop.now;
    for (let pkt = this.reorder.poll(now); pkt; pkt = this.reorder.poll(now)) {
      pkt.deliveries++;
      this.goodputNow += pkt.size;
      if (pkt.interactive) {
        if (pkt.deliveries > 1) this.interactive.duplicatesDelivered++;
        else {
          this.interactive.delivered++;
          this.interactive.delays.push(now - pkt.createdAt);
        }
      } else {
        if (pkt.seq > this.lastDeliveredSeq) this.inOrder++;
        else this.outOfOrder++;
        this.lastDeliveredSeq = Math.max(this.lastDeliveredSeq, pkt.seq);
      }
    }
    this.arm();
  }

  /** The helper's policy (app/core reorderPolicy): hold from RTT spread and measured fill delay. */
  private updateReorderPolicy(): void {
    const h = reorderPolicy(this.views, this.reorder.fillDelayMs(this.loop.now));
    this.reorder.setBypass(h.bypass);
    this.reorder.setHoldTime(h.holdMs);
    this.drainReorder();
  }

  // ---- core servicing ----------------------------------------------------------------------

  private drainPm(): void {
    const now = this.loop.now;
    for (let e = this.pm.pollEvent(); e; e = this.pm.pollEvent()) {
      if (e.type === 'send-probe') this.sendProbe(e.pathId, e.seq);
      else {
        this.stateLog.push({ t: now, path: e.pathId, from: e.from, to: e.state.kind });
        const p = this.paths[e.pathId];
        if (p) this.pm.writeView(p.view, now);
        this.session.handleUsablePaths(this.pm.usableCount(), now);
        this.updateReorderPolicy();
      }
    }
    this.drainSession();
  }

  private sendProbe(id: PathId, seq: number): void {
    const p = this.paths[id] as SimPath;
    const noop = (): void => {};
    p.link.send(PROBE_SIZE, () => p.rev.send(PROBE_SIZE, () => this.probeAck(id, seq), noop), noop);
    this.pm.handleProbeSent(id, seq, this.loop.now);
  }

  private probeAck(id: PathId, seq: number): void {
    this.pm.handleProbeAck(id, seq, this.loop.now);
    this.drainPm();
    this.arm();
  }

  private drainSession(): void {
    const now = this.loop.now;
    for (let e = this.session.pollEvent(); e; e = this.session.pollEvent()) {
      if (e.type === 'state-changed') this.sessionLog.push({ t: now, to: e.state.kind });
      else if (e.type === 'connect') {
        this.connectAttempts.push({ t: now, attempt: e.attempt });
        // First attempt: the paths' connections are created. Later attempts (reconnects) find
        // the paths already known; the path manager's own re-probing does the recovery.
        this.paths.forEach((p, i) => {
          if (this.pm.state(p.id) === undefined) {
            const c = this.config.paths[i] as SimPathConfig;
            this.pm.addPath(p.id, { weight: c.weight ?? 1, priority: c.priority ?? i }, now);
          }
        });
      }
    }
  }

  /** Arms one wake-up at the earliest core deadline (the helper arms exactly one timer too). */
  private arm(): void {
    let t = Math.min(
      this.pm.pollTimeout() ?? Number.POSITIVE_INFINITY,
      this.reorder.pollTimeout() ?? Number.POSITIVE_INFINITY,
      this.session.pollTimeout() ?? Number.POSITIVE_INFINITY,
    );
    if (!Number.isFinite(t)) return;
    t = Math.max(t, this.loop.now);
    if (t >= this.armedAt && this.armedAt >= this.loop.now) return;
    this.armedAt = t;
    this.loop.at(t, () => {
      if (this.armedAt !== t) return;
      this.armedAt = Number.POSITIVE_INFINITY;
      this.service();
    });
  }

  private service(): void {
    const now = this.loop.now as Millis;
    const pmT = this.pm.pollTimeout();
    if (pmT !== null && pmT <= now) this.pm.handleTimeout(now);
    const sT = this.session.pollTimeout();
    if (sT !== null && sT <= now) this.session.handleTimeout(now);
    this.drainPm();
    this.drainReorder();
    this.trySend();
  }

  private sample(): void {
    for (const p of this.paths) {
      p.series.push(p.deliveredBytes);
      p.states.push(p.view.state);
    }
    this.goodputSeries.push(this.goodputNow);
  }

  private every(ms: number, fn: () => void): void {
    const tick = (): void => {
      fn();
      this.loop.after(ms, tick);
    };
    this.loop.after(ms, tick);
  }
}
