// The `schedule` control message (control-messages.ts) to and from a SchedulerConfig. The laptop
// announces its mode and strategy; the gateway schedules what it sends that laptop the same way.
// Without this a gateway on the defaults (aggregate + weighted) spread the replies to a laptop on
// `latency` over every path: measured, ping replies crossed a 600 ms path (307 ms) in 3 of 3 lab
// runs. The wire uses the config file's names ("latency", not the strategy's "latency-aware").

import type { ScheduleMessage } from '../control-messages.ts';
import type { MultipathMode, SchedulerConfig, StrategyName } from './multipath-scheduler.ts';
import { MAX_REDUNDANT_COPIES, MIN_REDUNDANT_COPIES } from './redundant.ts';

const MODES: readonly string[] = ['disable', 'aggregate', 'failover'];
const WIRE_TO_STRATEGY: Readonly<Record<string, StrategyName>> = {
  'round-robin': 'round-robin',
  weighted: 'weighted',
  latency: 'latency-aware',
  redundant: 'redundant',
};
/** Bounds on announced policy numbers: beyond them a value is a bug or an attack, not a wish. */
const MAX_INTERACTIVE_RTT_MS = 10_000;
const MAX_BULK_MIN_MBPS = 100_000;

/** The config file's name of a strategy ("latency" for latency-aware). */
export function schedulerNameOf(s: StrategyName): Exclude<StrategyName, 'latency-aware'> | 'latency' {
  return s === 'latency-aware' ? 'latency' : s;
}

export function scheduleMessageOf(config: SchedulerConfig): ScheduleMessage {
  const msg: ScheduleMessage = {
    type: 'schedule',
    mode: config.mode,
    scheduler: schedulerNameOf(config.strategy),
  };
  if (config.interactiveMaxRttMs !== undefined) msg.interactiveMaxRttMs = config.interactiveMaxRttMs;
  if (config.bulkMinBandwidthMbps !== undefined) msg.bulkMinBandwidthMbps = config.bulkMinBandwidthMbps;
  if (config.redundantCopies !== undefined) msg.redundantCopies = config.redundantCopies;
  return msg;
}

/**
 * The config a peer asked for, with `own`'s policy numbers where it named none or an out-of-range
 * one; null when it names a mode or strategy this build does not know (the caller keeps `own`).
 */
export function schedulerConfigOf(msg: ScheduleMessage, own: SchedulerConfig): SchedulerConfig | null {
  const strategy = Object.hasOwn(WIRE_TO_STRATEGY, msg.scheduler)
    ? WIRE_TO_STRATEGY[msg.scheduler]
    : undefined;
  if (!MODES.includes(msg.mode) || strategy === undefined) return null;
  const rtt = msg.interactiveMaxRttMs;
  const bw = msg.bulkMinBandwidthMbps;
  const config: {
    mode: MultipathMode;
    strategy: StrategyName;
    interactiveMaxRttMs?: number;
    bulkMinBandwidthMbps?: number;
    redundantCopies?: number;
  } = { mode: msg.mode as MultipathMode, strategy };
  const ownRtt = own.interactiveMaxRttMs;
  const ownBw = own.bulkMinBandwidthMbps;
  const useRtt = rtt !== undefined && rtt > 0 && rtt <= MAX_INTERACTIVE_RTT_MS ? rtt : ownRtt;
  const useBw = bw !== undefined && bw >= 0 && bw <= MAX_BULK_MIN_MBPS ? bw : ownBw;
  if (useRtt !== undefined) config.interactiveMaxRttMs = useRtt;
  if (useBw !== undefined) config.bulkMinBandwidthMbps = useBw;
  const copies = msg.redundantCopies;
  const useCopies =
    copies !== undefined && copies >= MIN_REDUNDANT_COPIES && copies <= MAX_REDUNDANT_COPIES
      ? copies
      : own.redundantCopies;
  if (useCopies !== undefined) config.redundantCopies = useCopies;
  return config;
}
