// How the receiver sets its reorder buffer from the paths it sees (seed §8.4.4): bypass with one
// Active path, otherwise hold gaps for about the one-way delay spread of the paths.

import type { PathView } from './path-view.ts';

/** Floor: covers scheduling jitter between two equal paths. */
const MIN_HOLD_MS = 5;
/** Extra hold beyond half the RTT spread, for jitter. */
const HOLD_MARGIN_MS = 10;
/** Upper bound: past this a gap is a loss, and TCP recovers it faster than we would by waiting. */
const MAX_HOLD_MS = 300;
/**
 * The measured gap-fill delay x 1.25 + 2 ms wins when it is longer than the RTT-based guess: send
 * queues and one-way asymmetry are in the measurement, not in RTTs. Losses do not wait for the
 * hold in the common case (every path passed the gap: reorder-lanes.ts), so erring long is cheap.
 */
const FILL_DELAY_GAIN = 1.25;
const FILL_DELAY_MARGIN_MS = 2;

export interface ReorderSetting {
  readonly bypass: boolean;
  readonly holdMs: number;
}

/** `fillDelayMs`: the buffer's own measurement (ReorderBuffer.fillDelayMs). */
export function reorderPolicy(views: readonly PathView[], fillDelayMs: number): ReorderSetting {
  let active = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const v of views) {
    if (v.state !== 'active') continue;
    active++;
    if (Number.isFinite(v.srttMs)) {
      lo = Math.min(lo, v.srttMs);
      hi = Math.max(hi, v.srttMs);
    }
  }
  const spread = Number.isFinite(lo) ? hi - lo : 0;
  const hold = Math.max(spread / 2 + HOLD_MARGIN_MS, fillDelayMs * FILL_DELAY_GAIN + FILL_DELAY_MARGIN_MS);
  return { bypass: active <= 1, holdMs: Math.min(MAX_HOLD_MS, Math.max(MIN_HOLD_MS, hold)) };
}
