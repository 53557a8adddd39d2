// The path state machine of one session, for all its paths (diagram in path-state.ts). Sans-I/O
// (STYLE rule 1): inputs are `handle*(…, now)`, outputs come out of `pollEvent()`, and
// `pollTimeout()` says when `handleTimeout(now)` must be called next. Call order for a driver:
// feed inputs, call handleTimeout if the deadline passed, drain pollEvent(), re-arm one timer.
//
// Liveness: a path that had traffic acked within the last idle probe interval is alive and is
// not probed; quiche's stats give its RTT. Idle and standby paths are probed every second. A
// missed probe, or traffic sent with nothing acked for a probe timeout, makes the path suspect:
// it is probed every 250 ms, and K consecutive losses mark it Failed.

import type { Millis, PathId } from '../types.ts';
import { PathMetrics, type PathMetricsSnapshot, type TransportStats } from './path-metrics.ts';
import { type FailReason, judgeQuality, type PathEvent, type PathState } from './path-state.ts';
import type { MutablePathView } from './path-view.ts';
import { ProbeTracker } from './probe-tracker.ts';
import { DEFAULT_PATH_TUNING, type PathTuning } from './tuning.ts';

export interface PathConfig {
  /** Lower is preferred (primary in failover mode). Default 0. */
  readonly priority?: number;
  /** Configured weight, > 0. Default 1. */
  readonly weight?: number;
}

/** Probe timeout before a path has any RTT sample: QUIC's initial PTO is of the same order. */
const INITIAL_PROBE_TIMEOUT_MS = 1000;
/** Events are few (state changes, probes); this bound only stops a driver that never polls. */
const MAX_QUEUED_EVENTS = 1024;

interface PathRecord {
  readonly id: PathId;
  priority: number;
  weight: number;
  state: PathState;
  readonly metrics: PathMetrics;
  readonly probes: ProbeTracker;
  linkUp: boolean;
  /** When the next probe is due (probing/active/standby only); NaN when none is scheduled. */
  nextProbeAt: number;
  consecutiveLosses: number;
  /** Traffic went unanswered for a probe timeout: probe fast until something answers. */
  silenceSuspect: boolean;
  badStreak: number;
  goodStreak: number;
  /** Delay before the next re-probe if the path fails now. */
  nextBackoffMs: number;
  activeSince: number;
  lastAckAt: number;
  /** Time of the first send after the last ack; NaN when everything sent was acked. */
  unackedSince: number;
}

export class PathManager {
  private readonly paths: PathRecord[] = [];
  private readonly events: PathEvent[] = [];
  private eventHead = 0;
  private probeSeq = 0;
  private readonly takeOut = { wasLost: false };
  droppedEvents = 0;

  constructor(readonly tuning: PathTuning = DEFAULT_PATH_TUNING) {}

  // ---- paths -------------------------------------------------------------------------------

  addPath(id: PathId, config: PathConfig, now: Millis): void {
    if (this.find(id)) throw new Error(`path ${id} already exists`);
    const rec: PathRecord = {
      id,
      priority: config.priority ?? 0,
      weight: config.weight ?? 1,
      state: { kind: 'probing', since: now, acks: 0 },
      metrics: new PathMetrics(this.tuning),
      probes: new ProbeTracker(),
      linkUp: true,
      nextProbeAt: now,
      consecutiveLosses: 0,
      silenceSuspect: false,
      badStreak: 0,
      goodStreak: 0,
      nextBackoffMs: this.tuning.failBackoffInitialMs,
      activeSince: Number.NaN,
      lastAckAt: Number.NEGATIVE_INFINITY,
      unackedSince: Number.NaN,
    };
    this.paths.push(rec);
    this.emit({ type: 'state-changed', pathId: id, from: 'probing', state: rec.state, at: now });
  }

  removePath(id: PathId, now: Millis): void {
    const i = this.paths.findIndex((p) => p.id === id);
    if (i < 0) return;
    const wasActive = this.paths[i]?.state.kind === 'active';
    this.paths.splice(i, 1);
    if (wasActive) this.ensureActive(now);
  }

  pathIds(): PathId[] {
    return this.paths.map((p) => p.id);
  }

  state(id: PathId): PathState | undefined {
    return this.find(id)?.state;
  }

  metrics(id: PathId, now: Millis): PathMetricsSnapshot | undefined {
    return this.find(id)?.metrics.snapshot(now);
  }

  /** Whether the path's last transport stats reading gave a usable RTT (path-metrics.ts). */
  transportRttTrusted(id: PathId): boolean {
    return this.find(id)?.metrics.transportRttTrusted ?? true;
  }

  /** Paths that can carry traffic (Active or Standby). */
  usableCount(): number {
    let n = 0;
    for (const p of this.paths) if (p.state.kind === 'active' || p.state.kind === 'standby') n++;
    return n;
  }

  /** Writes the path's current state and metrics into a caller-owned view; false if unknown. */
  writeView(view: MutablePathView, now: Millis): boolean {
    const p = this.find(view.id);
    if (!p) return false;
    view.state = p.state.kind;
    view.priority = p.priority;
    view.weight = p.weight;
    view.srttMs = p.metrics.srttMs;
    view.minRttMs = p.metrics.minRttMs;
    view.bandwidth = p.metrics.bw.bandwidth;
    view.lossRatio = p.metrics.lossRatio(now);
    view.stalled = isStalled(p);
    return true;
  }

  /** Bytes per second of our traffic acknowledged on the path lately (EWMA); 0 before any. What
   *  the path carries, where `bandwidth` is what it can carry and stays 0 until it was saturated. */
  throughput(id: PathId): number {
    return this.find(id)?.metrics.bw.throughput ?? 0;
  }

  /** Traffic on an Active or Standby path has gone unanswered for the silence timeout (PathView.stalled). */
  stalled(id: PathId): boolean {
    const p = this.find(id);
    return p !== undefined && isStalled(p);
  }

  // ---- inputs ------------------------------------------------------------------------------

  /** The driver sent the probe `seq` that a send-probe event asked for. */
  handleProbeSent(id: PathId, seq: number, now: Millis): void {
    this.find(id)?.probes.add(seq, now);
  }

  /** The peer answered probe `seq` on path `id`. */
  handleProbeAck(id: PathId, seq: number, now: Millis): void {
    const p = this.find(id);
    if (!p) return;
    const sentAt = p.probes.take(seq, this.takeOut);
    if (Number.isNaN(sentAt)) return; // unknown or too old to say anything
    const rtt = now - sentAt;
    if (!this.takeOut.wasLost) p.metrics.addProbeOutcome(false, now);
    p.consecutiveLosses = 0;
    p.silenceSuspect = false;
    p.metrics.addRttSample(rtt, now);
    const s = p.state;
    if (s.kind === 'probing') {
      const acks = s.acks + 1;
      if (acks >= this.tuning.probeAcksToActivate) {
        this.activate(p, now);
      } else {
        p.state = { kind: 'probing', since: s.since, acks };
      }
    } else if (s.kind === 'active' || s.kind === 'standby') {
      this.evaluateQuality(p, now);
    }
  }

  /** A stats reading of the path's QUIC connection (quiche `pathStats()`). */
  handleStats(id: PathId, stats: TransportStats, now: Millis): void {
    const p = this.find(id);
    if (!p) return;
    const fresh = p.metrics.addStats(stats, now);
    if (now - p.lastAckAt > this.tuning.rateIntervalMinMs) p.metrics.bw.onIdle(now);
    if (fresh && (p.state.kind === 'active' || p.state.kind === 'standby')) this.evaluateQuality(p, now);
  }

  /** Tunnel traffic was sent on the path (per packet or per batch; O(1), no allocation). */
  handleTrafficSent(id: PathId, _bytes: number, now: Millis): void {
    const p = this.find(id);
    if (p && Number.isNaN(p.unackedSince)) p.unackedSince = now;
  }

  /** Tunnel traffic on the path was acknowledged (the driver learns it from quiche). */
  handleTrafficAcked(id: PathId, bytes: number, now: Millis): void {
    const p = this.find(id);
    if (!p) return;
    p.lastAckAt = now;
    p.unackedSince = Number.NaN;
    p.silenceSuspect = false;
    p.consecutiveLosses = 0;
    p.metrics.bw.onAcked(bytes, now);
  }

  /** The path's interface went down (netmon): fail at once, no probing until it is back. */
  handleLinkDown(id: PathId, now: Millis): void {
    const p = this.find(id);
    if (!p) return;
    p.linkUp = false;
    if (p.state.kind !== 'failed' || p.state.reason !== 'link-down') this.fail(p, 'link-down', now);
  }

  /** The path's interface is back: probe it now with a fresh backoff. */
  handleLinkUp(id: PathId, now: Millis): void {
    const p = this.find(id);
    if (!p) return;
    p.linkUp = true;
    p.nextBackoffMs = this.tuning.failBackoffInitialMs;
    if (p.state.kind === 'failed') this.toProbing(p, now);
  }

  // ---- time --------------------------------------------------------------------------------

  pollTimeout(): Millis | null {
    let t = Number.POSITIVE_INFINITY;
    for (const p of this.paths) {
      const s = p.state;
      if (s.kind === 'failed') {
        if (s.retryAt !== null) t = Math.min(t, s.retryAt);
        continue;
      }
      const timeout = this.probeTimeout(p);
      t = Math.min(t, p.probes.nextDeadline(timeout));
      if (!Number.isNaN(p.nextProbeAt)) t = Math.min(t, this.probeDueAt(p));
      if (!Number.isNaN(p.unackedSince) && !p.silenceSuspect) t = Math.min(t, p.unackedSince + timeout);
    }
    return Number.isFinite(t) ? (t as Millis) : null;
  }

  handleTimeout(now: Millis): void {
    for (let i = 0; i < this.paths.length; i++) {
      const p = this.paths[i];
      if (p) this.tick(p, now);
    }
  }

  pollEvent(): PathEvent | undefined {
    if (this.eventHead >= this.events.length) {
      this.events.length = 0;
      this.eventHead = 0;
      return undefined;
    }
    return this.events[this.eventHead++];
  }

  // ---- internals ---------------------------------------------------------------------------

  private tick(p: PathRecord, now: Millis): void {
    const s = p.state;
    if (s.kind === 'failed') {
      if (s.retryAt !== null && s.retryAt <= now && p.linkUp) this.toProbing(p, now);
      return;
    }
    const timeout = this.probeTimeout(p);
    const lost = p.probes.expire(now, timeout);
    for (let i = 0; i < lost; i++) {
      p.metrics.addProbeOutcome(true, now);
      p.consecutiveLosses++;
    }
    if (lost > 0) {
      if (p.state.kind === 'probing') p.state = { kind: 'probing', since: p.state.since, acks: 0 };
      if (p.consecutiveLosses >= this.tuning.probeLossesToFail) {
        this.fail(p, 'probe-timeout', now);
        return;
      }
      // Re-probe at once: the verdict should not wait for the normal schedule.
      p.nextProbeAt = Math.min(p.nextProbeAt, now);
    }
    if (!Number.isNaN(p.unackedSince) && !p.silenceSuspect && p.unackedSince + timeout <= now) {
      p.silenceSuspect = true;
      p.nextProbeAt = Math.min(p.nextProbeAt, now);
    }
    if (!Number.isNaN(p.nextProbeAt) && this.probeDueAt(p) <= now) this.sendProbe(p, now);
  }

  /** A healthy path with recently acked traffic postpones its probe: the traffic proves it alive. */
  private probeDueAt(p: PathRecord): number {
    // A path whose transport RTT is not trusted is probed even while it carries traffic: the
    // probes are then its only RTT samples.
    if (p.state.kind === 'probing' || this.suspect(p) || !p.metrics.transportRttTrusted) return p.nextProbeAt;
    return Math.max(p.nextProbeAt, p.lastAckAt + this.tuning.idleProbeIntervalMs);
  }

  private suspect(p: PathRecord): boolean {
    return p.consecutiveLosses > 0 || p.silenceSuspect;
  }

  private sendProbe(p: PathRecord, now: Millis): void {
    const seq = this.probeSeq;
    this.probeSeq = (this.probeSeq + 1) >>> 0;
    const fast = p.state.kind === 'probing' || this.suspect(p);
    p.nextProbeAt = now + (fast ? this.tuning.fastProbeIntervalMs : this.tuning.idleProbeIntervalMs);
    this.emit({ type: 'send-probe', pathId: p.id, seq, at: now });
  }

  private probeTimeout(p: PathRecord): number {
    const t = this.tuning;
    return p.metrics.rtt.timeoutMs(t.probeTimeoutMinMs, t.probeTimeoutMaxMs, INITIAL_PROBE_TIMEOUT_MS);
  }

  private evaluateQuality(p: PathRecord, now: Millis): void {
    const m = p.metrics;
    const q = judgeQuality(m.srttMs, m.minRttMs, m.lossRatio(now), this.tuning);
    p.badStreak = q === 'bad' ? p.badStreak + 1 : 0;
    p.goodStreak = q === 'good' ? p.goodStreak + 1 : 0;
    const n = this.tuning.qualitySamples;
    // Never demote the last Active path: a degraded path is better than none.
    if (p.state.kind === 'active' && p.badStreak >= n && this.countState('active') > 1)
      this.toStandby(p, now);
    else if (p.state.kind === 'standby' && p.goodStreak >= n) this.activate(p, now);
  }

  private activate(p: PathRecord, now: Millis): void {
    if (p.state.kind !== 'standby') p.activeSince = now;
    this.transition(p, { kind: 'active', since: now }, now);
    p.nextProbeAt = now + this.tuning.idleProbeIntervalMs;
  }

  private toStandby(p: PathRecord, now: Millis): void {
    this.transition(p, { kind: 'standby', since: now }, now);
  }

  private toProbing(p: PathRecord, now: Millis): void {
    p.consecutiveLosses = 0;
    p.silenceSuspect = false;
    p.unackedSince = Number.NaN;
    p.nextProbeAt = now;
    this.transition(p, { kind: 'probing', since: now, acks: 0 }, now);
  }

  private fail(p: PathRecord, reason: FailReason, now: Millis): void {
    const t = this.tuning;
    const wasUsable = p.state.kind === 'active' || p.state.kind === 'standby';
    if (wasUsable && now - p.activeSince >= t.backoffResetAfterMs) p.nextBackoffMs = t.failBackoffInitialMs;
    const backoffMs = reason === 'link-down' ? 0 : p.nextBackoffMs;
    if (reason !== 'link-down') p.nextBackoffMs = Math.min(t.failBackoffMaxMs, p.nextBackoffMs * 2);
    const retryAt = reason === 'link-down' ? null : ((now + backoffMs) as Millis);
    p.probes.clear();
    p.nextProbeAt = Number.NaN;
    p.unackedSince = Number.NaN;
    p.badStreak = 0;
    p.goodStreak = 0;
    const wasActive = p.state.kind === 'active';
    this.transition(p, { kind: 'failed', since: now, reason, retryAt, backoffMs }, now);
    if (wasActive) this.ensureActive(now);
  }

  /** If no path is Active but some are on Standby, the best standby (lowest RTT) takes over. */
  private ensureActive(now: Millis): void {
    if (this.countState('active') > 0) return;
    let best: PathRecord | undefined;
    for (const p of this.paths) {
      if (p.state.kind !== 'standby') continue;
      if (!best || p.metrics.srttMs < best.metrics.srttMs) best = p;
    }
    if (best) this.activate(best, now);
  }

  private transition(p: PathRecord, next: PathState, now: Millis): void {
    const from = p.state.kind;
    p.state = next;
    p.badStreak = 0;
    p.goodStreak = 0;
    this.emit({ type: 'state-changed', pathId: p.id, from, state: next, at: now });
  }

  private countState(kind: PathState['kind']): number {
    let n = 0;
    for (const p of this.paths) if (p.state.kind === kind) n++;
    return n;
  }

  private find(id: PathId): PathRecord | undefined {
    for (const p of this.paths) if (p.id === id) return p;
    return undefined;
  }

  private emit(e: PathEvent): void {
    if (this.events.length - this.eventHead >= MAX_QUEUED_EVENTS) {
      this.droppedEvents++;
      return;
    }
    this.events.push(e);
  }
}

function isStalled(p: PathRecord): boolean {
  return p.silenceSuspect && (p.state.kind === 'active' || p.state.kind === 'standby');
}
