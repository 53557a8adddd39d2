// Per-strategy helpers of a session: the latency strategy paces bulk per path (bulk-pacer.ts),
// the weighted strategy balances shares by bottleneck queue (queue-balance.ts), and the
// spreading strategies mark their packets so the receiver evens out path delays (delay-line.ts).
import {
  BulkPacer,
  LATENCY_TARGET_MS,
  QueueBalance,
  QuickFlows,
  type SchedulerConfig,
  type StrategyName,
} from '../../core/multipath/index.ts';
import type { QuicStats } from '../quic/types.ts';
import type { PathLink } from './path-link.ts';

/**
 * Bulk pacer for one path, or null. Not in aggregate mode for the other strategies: a 10 ms
 * target helped one flow over 50 + 20 Mbit/s paths (35 -> 42-47 Mbit/s) but pinned a 50 ms path
 * at the 1 Mbit/s floor in one of two 10/50 ms runs (its RTT read as queue while it carried
 * nothing). Session 4, with honest RTTs and delay equalization, one flow over 10/50 ms paths:
 * targets 10 / 15 / 20 / 30 ms gave medians of 146 / 128 / 157 / 154 Mbit/s against 157 unpaced.
 */
export function pacerFor(strategy: StrategyName): BulkPacer | null {
  return strategy === 'latency-aware' ? new BulkPacer(LATENCY_TARGET_MS) : null;
}

/** Queue balancing for a session, or null. */
export function balanceFor(strategy: StrategyName): QueueBalance | null {
  return strategy === 'weighted' ? new QueueBalance() : null;
}

/**
 * Whether the sender spreads every flow over the paths packet by packet (aggregate mode with the
 * weighted or round-robin strategy), so the receiver should even out the paths' delays for it
 * (FLAG_SPREAD, delay-line.ts). Not the latency strategy (interactive flows are pinned to the
 * fastest path and must not wait for the slowest), nor redundant (the first copy is the point).
 */
export function spreadsFlows(config: SchedulerConfig): boolean {
  return config.mode === 'aggregate' && (config.strategy === 'weighted' || config.strategy === 'round-robin');
}

/**
 * Interactive flows that skip the spreading (quick-flows.ts): the weighted strategy in aggregate
 * mode only. Round-robin spreads every flow by definition; the latency strategy pins interactive
 * flows itself.
 */
export function quickFor(config: SchedulerConfig): QuickFlows | null {
  return config.mode === 'aggregate' && config.strategy === 'weighted' ? new QuickFlows() : null;
}

/**
 * A path's queueing delay from a fresh stats reading (quiche's smoothed RTT - unloaded RTT), ms;
 * NaN when stale (nothing received since the last reading, so quiche's RTT did not move).
 * Call before `link.lastStats` is replaced.
 */
export function queueDelayMs(link: PathLink, s: QuicStats, minRttMs: number): number {
  const fresh = link.lastStats !== null && s.recv > link.lastStats.recv;
  return fresh ? s.rttMs - minRttMs : Number.NaN;
}
