// Public API of the multipath core (seed §8.4, §8.6). Pure and sans-I/O: every input carries
// `now: Millis` from the caller's monotonic clock; outputs are polled.
//
//   PathManager        path state machine (probing/active/standby/failed) + per-path metrics;
//                      emits send-probe and state-changed events.
//   MultipathScheduler mode (disable/aggregate/failover) + strategy (round-robin, weighted,
//                      latency-aware, redundant) over PathViews; allocation-free pick().
//   ReorderBuffer<T>   receiver-side reorder + dedup by per-session uint32 sequence number.
//   SessionMachine     tunnel state (disconnected/connecting/connected/degraded/disconnecting/
//                      error) with the user's target kept apart.

export { AckReplay } from './ack-replay.ts';
export { AnswerWatch, PEER_ACK_DELAY_MS, QUIET_MIN_MS, quietAfterMs } from './answer-watch.ts';
export { BandwidthEstimator } from './bandwidth-estimator.ts';
export { BulkPacer, LATENCY_TARGET_MS } from './bulk-pacer.ts';
export {
  type DelayedPacket,
  DelayLine,
  equalizingDelayMs,
  MAX_EQUALIZE_MS,
  MIN_EQUALIZE_MS,
  slowestActiveMinRtt,
} from './delay-line.ts';
export { FlowPins } from './flow-pins.ts';
export { HeldBulk, holdLimitBytes } from './held-bulk.ts';
export {
  faster,
  type LatencyAwareConfig,
  LatencyAwareScheduler,
  lowestRtt,
  rttKey,
} from './latency-aware.ts';
export { LossWindow } from './loss-window.ts';
export {
  createStrategy,
  type MultipathMode,
  MultipathScheduler,
  primaryIndex,
  type SchedulerConfig,
  type StrategyName,
} from './multipath-scheduler.ts';
export { type PathConfig, PathManager } from './path-manager.ts';
export { PathMetrics, type PathMetricsSnapshot, type TransportStats } from './path-metrics.ts';
export {
  type FailReason,
  judgeQuality,
  type PathEvent,
  type PathState,
  type PathStateKind,
  type Quality,
} from './path-state.ts';
export { type MutablePathView, newPathView, type PathView } from './path-view.ts';
export { BALANCE_EXCESS_MS, BALANCE_ROOM_MS, QueueBalance } from './queue-balance.ts';
export { BULK_MEMORY_MS, type QuickFacts, QuickFlows } from './quick-flows.ts';
export {
  DEFAULT_REDUNDANT_COPIES,
  MAX_REDUNDANT_COPIES,
  MIN_REDUNDANT_COPIES,
  RedundantScheduler,
} from './redundant.ts';
export { ReorderBuffer, type ReorderCounters, seqDiff } from './reorder-buffer.ts';
export { freeLane, LANE_IDLE_MS, MAX_LANES, ReorderLanes } from './reorder-lanes.ts';
export { type ReorderSetting, reorderPolicy } from './reorder-policy.ts';
export { RoundRobinScheduler } from './round-robin.ts';
export { RttEstimator } from './rtt-estimator.ts';
export { scheduleMessageOf, schedulerConfigOf, schedulerNameOf } from './schedule-wire.ts';
export { newPacketInfo, type PacketInfo, type Scheduler } from './scheduler.ts';
export {
  CLOSE_TIMEOUT_MS,
  MAX_ATTEMPTS,
  RETRY_INITIAL_MS,
  RETRY_MAX_MS,
  retryDelayMs,
  type SessionErrorCode,
  type SessionEvent,
  SessionMachine,
  type SessionState,
  type SessionStateKind,
  type SessionTarget,
} from './session-machine.ts';
export { SmoothWeighted } from './smooth-weighted.ts';
export {
  REDUNDANT_SPACING_MS,
  SPACED_COPIES_CAPACITY,
  SpacedCopies,
  type SpacedCopiesCounters,
} from './spaced-copies.ts';
export { DEFAULT_PATH_TUNING, type PathTuning } from './tuning.ts';
export { WeightedScheduler } from './weighted.ts';
export { WindowedFilter } from './windowed-filter.ts';
