// Latency-aware (seed §8.4.3.3, policies of §8.8.3):
//  - interactive packets go to the lowest-RTT path. A flow is pinned to its path and stays while
//    that path's RTT is within interactive_max_rtt_ms, or is not clearly beaten by another path
//    (PIN_SWITCH_*): RTT estimates of similar paths cross all the time and every move reorders
//    the flow. A quiet path (PathView.quiet: its traffic unanswered for 2 x RTT + 25 ms) ranks
//    after every answering one that is not much slower (QUIET_DETOUR_FACTOR) and holds no pin
//    against it. If the chosen path's window is full, the
//    packet takes a detour only to a path that is nearly as fast; otherwise pick returns 0 and
//    the caller holds the packet until the window opens (within one RTT of the fast path:
//    cheaper than a 600 ms detour).
//  - bulk packets are spread by smooth weighted round-robin over paths whose capacity is at
//    least bulk_min_bandwidth_mbps (unknown capacity qualifies), or over all eligible paths when
//    none qualifies, and whose unloaded RTT is comparable to the fastest path's (BULK_RTT_*):
//    one TCP flow split over a 10 ms and a 600 ms path runs at the pace of the 600 ms path and
//    needs a reorder buffer of 300 ms of the fast path's data (measured: 0.4 Mbit/s of bulk over
//    10 + 600 ms paths, 95 over the fast path alone). A slow path then carries no bulk, not even
//    when the fast one is full: a full path is the signal the flow's own TCP needs.

import type { Millis, PathId } from '../types.ts';
import { quietAfterMs } from './answer-watch.ts';
import { FlowPins } from './flow-pins.ts';
import type { PathView } from './path-view.ts';
import type { PacketInfo, Scheduler } from './scheduler.ts';
import { anyQualifies, type RttRule, SmoothWeighted } from './smooth-weighted.ts';

/** A pinned flow moves only to a path faster by ×1.5 and 10 ms: big enough to be real, not noise. */
const PIN_SWITCH_RATIO = 1.5;
const PIN_SWITCH_MARGIN_MS = 10;
/** A detour is taken when the window of the chosen path is full only if it costs at most
 *  ×1.5 + 10 ms RTT; waiting up to one RTT of the fast path beats a much slower path. */
const DETOUR_RATIO = 1.5;
const DETOUR_MARGIN_MS = 10;
/** Bulk uses a path whose unloaded RTT is within ×4 + 100 ms of the fastest path's: WiFi 10 ms
 *  with LTE 50-150 ms aggregates; a 600 ms satellite path next to a 10-100 ms one does not. */
const BULK_RTT_RATIO = 4;
const BULK_RTT_MARGIN_MS = 100;

export interface LatencyAwareConfig {
  /** `interactive_max_rtt_ms`: an interactive flow's path is good enough below this RTT. */
  readonly interactiveMaxRttMs: number;
  /** `bulk_min_bandwidth_mbps`: bulk avoids paths measured slower than this (megabit/s). */
  readonly bulkMinBandwidthMbps: number;
}

/** RTT for ordering: unknown RTT sorts after every known one. */
export function rttKey(p: PathView): number {
  return Number.isNaN(p.srttMs) ? Number.POSITIVE_INFINITY : p.srttMs;
}

/**
 * A quiet path keeps the fastest-path packets unless another path is at most this many times
 * its quiet limit (answer-watch.ts quietAfterMs) in RTT: 100 ms for a 10 ms WiFi path. A
 * detour to a 600 ms satellite path costs more than a 50-100 ms WiFi hiccup (a CI run's loaded
 * machine made one such hiccup, and a ping crossed at 307 ms); a truly dead path is left at
 * `stalled` (300 ms) by everything, these packets included.
 */
export const QUIET_DETOUR_FACTOR = 2;

/** RTT for ordering the fastest-path candidates: a quiet path's counts as at least
 *  QUIET_DETOUR_FACTOR x its quiet limit. */
export function fastKey(p: PathView): number {
  const rtt = rttKey(p);
  return p.quiet ? Math.max(rtt, QUIET_DETOUR_FACTOR * quietAfterMs(p.srttMs)) : rtt;
}

/** `a` is the better path for a packet that wants the fastest one: the lower fastKey (an
 *  answering path before a quiet one unless it is much slower), an answering one on a tie. */
export function faster(a: PathView, b: PathView): boolean {
  const ka = fastKey(a);
  const kb = fastKey(b);
  if (ka !== kb) return ka < kb;
  return !a.quiet && b.quiet;
}

/** Index of the fastest path in `paths` (faster(); only those with urgent room if `sendable`), or -1. */
export function lowestRtt(paths: readonly PathView[], sendable: boolean, exclude = -1): number {
  let best = -1;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i] as PathView;
    if (i === exclude || (sendable && !p.canSendUrgent)) continue;
    if (best < 0 || faster(p, paths[best] as PathView)) best = i;
  }
  return best;
}

/**
 * Puts the packet on the lowest-RTT path with urgent room: out[0], returns 1 (0 when none has
 * room). The spreading strategies send bare TCP ACKs this way (weighted.ts says why).
 */
export function pickFastest(paths: readonly PathView[], out: PathId[]): number {
  const i = lowestRtt(paths, true);
  if (i < 0) return 0;
  out[0] = (paths[i] as PathView).id;
  return 1;
}

/** Largest unloaded RTT a path may have to carry bulk: the fastest known one x ratio + margin. */
const BULK_RTT_RULE: RttRule = { ratio: BULK_RTT_RATIO, marginMs: BULK_RTT_MARGIN_MS };

export class LatencyAwareScheduler implements Scheduler {
  private readonly swrr = new SmoothWeighted();
  private readonly pins = new FlowPins();
  private readonly minBulkBytesPerSec: number;

  constructor(private readonly config: LatencyAwareConfig) {
    this.minBulkBytesPerSec = (config.bulkMinBandwidthMbps * 1e6) / 8;
  }

  pick(pkt: PacketInfo, paths: readonly PathView[], _now: Millis, out: PathId[]): number {
    if (paths.length === 0) return 0;
    if (pkt.interactive) return this.pickInteractive(pkt, paths, out);
    const min = anyQualifies(paths, this.minBulkBytesPerSec) ? this.minBulkBytesPerSec : 0;
    const i = this.swrr.pick(paths, min, BULK_RTT_RULE);
    if (i < 0) return 0;
    out[0] = (paths[i] as PathView).id;
    return 1;
  }

  private pickInteractive(pkt: PacketInfo, paths: readonly PathView[], out: PathId[]): number {
    const bestIdx = lowestRtt(paths, false);
    const best = paths[bestIdx] as PathView;
    let chosen = best;
    const pinned = this.pins.get(pkt.flowId);
    if (pinned >= 0 && pinned !== best.id) {
      for (let i = 0; i < paths.length; i++) {
        const p = paths[i] as PathView;
        if (p.id !== pinned) continue;
        const pr = rttKey(p);
        const beaten = rttKey(best) * PIN_SWITCH_RATIO + PIN_SWITCH_MARGIN_MS < pr;
        // A pin does not hold a flow on a quiet path while the best one answers.
        const keep = pr <= this.config.interactiveMaxRttMs || !beaten;
        if (keep && (!p.quiet || best.quiet)) chosen = p;
        break;
      }
    }
    if (chosen.id !== pinned) this.pins.set(pkt.flowId, chosen.id);
    if (chosen.canSendUrgent) {
      out[0] = chosen.id;
      return 1;
    }
    const alt = lowestRtt(paths, true);
    if (alt < 0) return 0;
    const a = paths[alt] as PathView;
    if (rttKey(a) <= rttKey(chosen) * DETOUR_RATIO + DETOUR_MARGIN_MS) {
      out[0] = a.id;
      return 1;
    }
    return 0;
  }
}
