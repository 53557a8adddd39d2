// Types and small helpers of the multipath simulator (see harness.ts).

import type { SchedulerConfig } from '../../../app/core/multipath/multipath-scheduler.ts';
import type { PathStateKind } from '../../../app/core/multipath/path-state.ts';
import { type MutablePathView, newPathView } from '../../../app/core/multipath/path-view.ts';
import type { PathTuning } from '../../../app/core/multipath/tuning.ts';
import type { PathId } from '../../../app/core/types.ts';
import { Aimd } from './aimd.ts';
import type { EventLoop } from './event-loop.ts';
import { Link, type LinkConfig } from './link.ts';
import type { Prng } from './prng.ts';

export interface SimPathConfig {
  fwd: LinkConfig;
  /** Reverse link (acks, probe answers); defaults to the forward delay at 1 Gbit/s, no loss. */
  rev?: Partial<LinkConfig>;
  weight?: number;
  priority?: number;
}

export interface SimConfig {
  seed: number;
  paths: SimPathConfig[];
  scheduler: SchedulerConfig;
  tuning?: Partial<PathTuning>;
  /** Bulk source: offered rate in bit/s. */
  bulk?: { rateBps: number; segment?: number; startMs?: number };
  /** Interactive source: one packet every intervalMs, round-robin over `flows` flows. */
  interactive?: { intervalMs: number; size?: number; flows?: number; startMs?: number; critical?: boolean };
  reorder?: { capacity?: number };
  /** Length of one throughput sample, ms (default 500). */
  sampleMs?: number;
}

export interface Pkt {
  seq: number;
  size: number;
  interactive: boolean;
  createdAt: number;
  flow: number;
  deliveries: number;
}

export interface SimPath {
  readonly id: PathId;
  readonly link: Link;
  readonly rev: Link;
  readonly cc: Aimd;
  readonly view: MutablePathView;
  srtt: number;
  sentPkts: number;
  lostPkts: number;
  ackedSinceStats: number;
  blocked: boolean;
  /** Data bytes that reached the receiver over this path (network level, before dedup). */
  deliveredBytes: number;
  interactiveSent: number;
  /** deliveredBytes per sample interval. */
  series: number[];
  states: PathStateKind[];
}

/** Per-interval deltas of a cumulative series. */
export function deltas(series: readonly number[]): number[] {
  return series.map((v, i) => v - (i > 0 ? (series[i - 1] as number) : 0));
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

/** Mbit/s of `bytes` over `ms`. */
export function mbps(bytes: number, ms: number): number {
  return (bytes * 8) / (ms * 1000);
}

export function makePath(
  loop: EventLoop,
  rng: Prng,
  pc: SimPathConfig,
  id: PathId,
  segment: number,
): SimPath {
  const rev: LinkConfig = { rateBps: 1e9, delayMs: pc.fwd.delayMs, ...pc.rev };
  return {
    id,
    link: new Link(loop, rng, { ...pc.fwd }),
    rev: new Link(loop, rng, rev),
    cc: new Aimd(segment),
    view: newPathView(id),
    srtt: Number.NaN,
    sentPkts: 0,
    lostPkts: 0,
    ackedSinceStats: 0,
    blocked: false,
    deliveredBytes: 0,
    interactiveSent: 0,
    series: [],
    states: [],
  };
}
