// The scheduler the session uses: the multipath mode (seed §8.8) chooses which paths are
// eligible, then a strategy chooses among them.
//
//   disable    multipath off: only the primary path (lowest priority value of all paths, ties by
//              lowest id) carries traffic, and only while it is Active or Standby. No fallback:
//              a single-path tunnel waits for its path to be re-probed.
//   aggregate  every Active path is eligible; the strategy spreads traffic over them.
//   failover   only the highest-priority path that is Active or Standby carries traffic; the
//              backups carry nothing until it is Failed (or still Probing). Backups are kept
//              warm by the path manager's 1 s idle probes, so a dead backup is known before it
//              is needed. A path on Standby (degraded) still counts as up here: failover moves
//              traffic on failure only, as users of that mode expect.
//
// Stalled paths (PathView.stalled: traffic on it unanswered for a probe timeout) are skipped in
// aggregate and failover modes while another eligible path is not stalled. Failing a path takes
// three lost probes on top of that timeout (about 0.9 s in the lab); a blackholed path kept half
// of one flow's packets until then (32 of 43 pings lost). If every eligible path is stalled they
// all stay: one of them may still get through, and nothing else would.
//
// In disable and failover modes one path is eligible, so the strategy does not matter (and
// redundant does not duplicate): the packet goes there if its window has room.

import type { Millis, PathId } from '../types.ts';
import { LatencyAwareScheduler } from './latency-aware.ts';
import type { PathView } from './path-view.ts';
import { DEFAULT_REDUNDANT_COPIES, RedundantScheduler } from './redundant.ts';
import { RoundRobinScheduler } from './round-robin.ts';
import { hasRoom, type PacketInfo, type Scheduler } from './scheduler.ts';
import { WeightedScheduler } from './weighted.ts';

export type MultipathMode = 'disable' | 'aggregate' | 'failover';
export type StrategyName = 'round-robin' | 'weighted' | 'latency-aware' | 'redundant';

export interface SchedulerConfig {
  readonly mode: MultipathMode;
  readonly strategy: StrategyName;
  /** `[multipath.policies] interactive_max_rtt_ms`; default 50. */
  readonly interactiveMaxRttMs?: number;
  /** `[multipath.policies] bulk_min_bandwidth_mbps`; default 5. */
  readonly bulkMinBandwidthMbps?: number;
  /** `[multipath.policies] redundant_copies`; default 3 (redundant.ts). */
  readonly redundantCopies?: number;
}

export function createStrategy(config: SchedulerConfig): Scheduler {
  switch (config.strategy) {
    case 'round-robin':
      return new RoundRobinScheduler();
    case 'weighted':
      return new WeightedScheduler();
    case 'latency-aware':
      return new LatencyAwareScheduler({
        interactiveMaxRttMs: config.interactiveMaxRttMs ?? 50,
        bulkMinBandwidthMbps: config.bulkMinBandwidthMbps ?? 5,
      });
    case 'redundant':
      return new RedundantScheduler(config.redundantCopies);
  }
}

/** Index of the primary path: lowest priority, then lowest id, among paths accepted by `ok`. */
export function primaryIndex(paths: readonly PathView[], ok: (p: PathView) => boolean): number {
  let best = -1;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i] as PathView;
    if (!ok(p)) continue;
    const b = paths[best];
    if (!b || p.priority < b.priority || (p.priority === b.priority && p.id < b.id)) best = i;
  }
  return best;
}

const isUp = (p: PathView): boolean => p.state === 'active' || p.state === 'standby';
const isUpNotStalled = (p: PathView): boolean => isUp(p) && !p.stalled;
const any = (): boolean => true;

/** Failover's path: the primary among the up paths that are not stalled, else among all up paths. */
function failoverIndex(paths: readonly PathView[]): number {
  const i = primaryIndex(paths, isUpNotStalled);
  return i >= 0 ? i : primaryIndex(paths, isUp);
}

/** A path the aggregate strategies may use: Active, or Standby too for the redundant strategy. */
function isEligible(p: PathView, withStandby: boolean): boolean {
  return p.state === 'active' || (withStandby && p.state === 'standby');
}

export class MultipathScheduler implements Scheduler {
  private readonly strategy: Scheduler;
  /** The eligible paths of the last pick (see eligibleOf). */
  private eligible: PathView[] = [];

  constructor(readonly config: SchedulerConfig) {
    this.strategy = createStrategy(config);
  }

  /**
   * Copies `pkt` should go out as in all: more than `pick` returned means the driver queues the
   * rest as spaced copies (spaced-copies.ts). 1 unless aggregating with the redundant strategy.
   */
  copiesFor(pkt: PacketInfo): number {
    if (this.config.mode !== 'aggregate' || this.config.strategy !== 'redundant') return 1;
    if (!pkt.interactive && !pkt.critical) return 1;
    return this.config.redundantCopies ?? DEFAULT_REDUNDANT_COPIES;
  }

  pick(pkt: PacketInfo, paths: readonly PathView[], now: Millis, out: PathId[]): number {
    const mode = this.config.mode;
    if (mode !== 'aggregate') {
      const i = mode === 'failover' ? failoverIndex(paths) : primaryIndex(paths, any);
      const p = paths[i];
      if (p && isUp(p) && hasRoom(p, pkt)) {
        out[0] = p.id;
        return 1;
      }
      return this.pickProbing(pkt, paths, out);
    }
    const e = this.eligibleOf(paths);
    return e.length === 0 ? this.pickProbing(pkt, paths, out) : this.strategy.pick(pkt, e, now, out);
  }

  /**
   * The Active paths (and Standby ones for redundant: redundancy wants a second path most when
   * paths are lossy, which is exactly when the path manager demotes them). Called per packet, so
   * the list is kept and only rebuilt when its members change: emptying and refilling one array
   * per packet made V8 trim and regrow its backing store every time (~126 bytes per packet, 12 MB
   * in 7 s at 14 k packets/s, the largest allocation site of the send path). No closure per call
   * either: one cost ~96 bytes per packet compiled and ~390 under tsx (its keepNames wrapper).
   */
  private eligibleOf(paths: readonly PathView[]): readonly PathView[] {
    const withStandby = this.config.strategy === 'redundant';
    let fresh = 0;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i] as PathView;
      if (isEligible(p, withStandby) && !p.stalled) fresh++;
    }
    // Stalled paths are left out while a path that is not stalled remains.
    const skipStalled = fresh > 0;
    const e = this.eligible;
    let k = 0;
    let same = true;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i] as PathView;
      if (!isEligible(p, withStandby) || (skipStalled && p.stalled)) continue;
      if (e[k] !== p) same = false;
      k++;
    }
    if (!same || k !== e.length)
      this.eligible = paths.filter((p) => isEligible(p, withStandby) && !(skipStalled && p.stalled));
    return this.eligible;
  }

  /**
   * Nothing usable: a path still being probed beats dropping. A path joins a session only after
   * its QUIC handshake, which already showed it carries packets; its first probe answers take a
   * round trip or more, and traffic in that window would otherwise be lost.
   */
  private pickProbing(pkt: PacketInfo, paths: readonly PathView[], out: PathId[]): number {
    const i = primaryIndex(paths, (p) => p.state === 'probing' && hasRoom(p, pkt));
    const p = paths[i];
    if (!p || p.state !== 'probing' || !hasRoom(p, pkt)) return 0;
    out[0] = p.id;
    return 1;
  }
}
