// Smooth weighted round-robin (nginx's upstream algorithm), deterministic: over any window the
// picks match the weights as closely as integers allow and the picks of one path are spread out
// (weights 2:1 give A B A A B A, not A A B). The seed's sketch draws a random number per packet;
// determinism makes the shares exact in tests and avoids bursts of one path.
//
// Effective weight of a path = configured weight × capacity factor × balance, where the factor
// is the path's capacity estimate over the best known one among the candidates and balance is
// the queue-balancing share factor (queue-balance.ts; 1 unless the driver balances). A path
// whose capacity is unknown counts as the best known (optimistic): sending more on it is what
// measures it, while an unknown path counted as slow would never get the traffic that proves
// otherwise.
//
// Credit is kept per PathId in a small array (PathIds are small integers); paths that cannot
// send this round neither earn nor spend credit, so they do not come back with a burst.

import type { PathId } from '../types.ts';
import type { PathView } from './path-view.ts';

/** Smallest capacity factor: a path measured 20× slower than the best still gets a trickle, so
 *  its estimate keeps being refreshed and a recovery is noticed. */
const MIN_CAPACITY_FACTOR = 0.05;

/** Bulk stays off paths whose unloaded RTT is above the fastest's x ratio + marginMs. */
export interface RttRule {
  readonly ratio: number;
  readonly marginMs: number;
}

export class SmoothWeighted {
  /**
   * Credit by path id. A typed array: a double stored into a plain array (or a Map) is a boxed
   * number, and this runs per packet (~43 bytes per pick compiled, ~83 under tsx). Path ids are
   * a session's counter, so this grows by one slot per path ever made (8 bytes each).
   */
  private credit = new Float64Array(8);

  /**
   * Picks among paths with canSend (canSendUrgent if `urgent`), bandwidth >= minBandwidth
   * (unknown bandwidth qualifies) and, with `rtt`, an unloaded RTT of at most the fastest known
   * one x rtt.ratio + rtt.marginMs (unknown RTT qualifies). Returns the index into `paths`, or -1
   * if none can send.
   */
  pick(paths: readonly PathView[], minBandwidth = 0, rtt: RttRule | null = null, urgent = false): number {
    let bestCap = 0;
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i] as PathView;
      if (qualifies(p, minBandwidth) && p.bandwidth > bestCap) bestCap = p.bandwidth;
      if (p.minRttMs < fastest) fastest = p.minRttMs;
    }
    // The RTT limit is worked out here, not passed in: a double argument of a call V8 does not
    // inline is boxed (~16 bytes per packet for the latency strategy).
    const maxMinRttMs =
      rtt !== null && Number.isFinite(fastest)
        ? fastest * rtt.ratio + rtt.marginMs
        : Number.POSITIVE_INFINITY;
    // Doubles stay in locals and the typed array: a double returned from a call that is not
    // inlined, or stored in a plain array, is a boxed number allocated per packet (the effective
    // weight below was a static method; V8 inlined it in some runs only: 0 or 32 bytes per pick).
    let total = 0;
    let best = -1;
    let bestCredit = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i] as PathView;
      if (!(urgent ? p.canSendUrgent : p.canSend) || !qualifies(p, minBandwidth) || p.minRttMs > maxMinRttMs)
        continue;
      // Effective weight: configured weight x capacity relative to the best x queue balance.
      const factor =
        p.bandwidth > 0 && bestCap > 0 ? Math.max(MIN_CAPACITY_FACTOR, p.bandwidth / bestCap) : 1;
      const w = Math.max(0, p.weight) * factor * p.balance;
      if (w <= 0) continue;
      this.ensureSlot(p.id);
      const credit = this.credit;
      const c = (credit[p.id] as number) + w;
      credit[p.id] = c;
      total += w;
      if (c > bestCredit) {
        bestCredit = c;
        best = i;
      }
    }
    if (best >= 0) (this.credit[(paths[best] as PathView).id] as number) -= total;
    return best;
  }

  /** Forget all credit (e.g. when the path set changes completely). */
  reset(): void {
    this.credit.fill(0);
  }

  /** Credit of one path. */
  creditOf(id: PathId): number {
    return id < this.credit.length ? (this.credit[id] as number) : 0;
  }

  private ensureSlot(id: PathId): void {
    if (id < this.credit.length) return;
    const grown = new Float64Array(Math.max(id + 1, this.credit.length * 2));
    grown.set(this.credit);
    this.credit = grown;
  }
}

export function qualifies(p: PathView, minBandwidth: number): boolean {
  return minBandwidth <= 0 || p.bandwidth === 0 || p.bandwidth >= minBandwidth;
}

/** Does any path qualify for `minBandwidth` (ignoring canSend)? */
export function anyQualifies(paths: readonly PathView[], minBandwidth: number): boolean {
  for (let i = 0; i < paths.length; i++) if (qualifies(paths[i] as PathView, minBandwidth)) return true;
  return false;
}
