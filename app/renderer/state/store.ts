// The dashboard's state. Events from the bridge go in through `apply`; components read narrow
// slices through the selectors below, so a sample for path 1 re-renders path 1's card only.
//
// History lives in fixed-size rings (one per path, one for the aggregate). A ring is mutated in
// place, and its holder object is replaced, carrying a new `rev`: selecting `series[pathId]`
// returns a new reference only when that path got a point.
import { createStore } from 'zustand/vanilla';
import type { BridgeEvent, PathSampleView, Snapshot, StatsView } from '../model.ts';
import { Ring } from './ring.ts';

/** One chart point of one path. `t` is the helper's clock in ms. */
export interface PathPoint {
  readonly t: number;
  readonly rttMs: number;
  readonly rttVarMs: number;
  readonly lossPct: number;
  readonly txMbps: number;
  readonly rxMbps: number;
}

export interface AggregatePoint {
  readonly t: number;
  readonly txMbps: number;
  readonly rxMbps: number;
}

export interface Series<P> {
  readonly ring: Ring<P>;
  /** Bumped on every push: the selector-visible change. */
  readonly rev: number;
}

/**
 * History length in samples. The helper samples every 500 ms, so 360 points are three minutes:
 * long enough to see a failover and its recovery, short enough for recharts to draw cheaply.
 */
export const HISTORY_POINTS = 360;

export interface DashboardState {
  readonly snapshot: Snapshot | null;
  /** Path ids in display order; a new array only when the set changes. */
  readonly pathIds: readonly number[];
  readonly latest: Readonly<Record<number, PathSampleView>>;
  readonly series: Readonly<Record<number, Series<PathPoint>>>;
  readonly aggregate: Series<AggregatePoint>;
  readonly aggregateNow: { readonly txBps: number; readonly rxBps: number };
  readonly uptimeMs: number;
  /** atMs of the newest sample taken in; older or equal samples are ignored (dedupe). */
  readonly lastAtMs: number;
  /** Interface names with a toggle in flight. */
  readonly pending: Readonly<Record<string, boolean>>;
  /** Last failed action, shown as a toast. */
  readonly actionError: string | null;
}

export interface DashboardActions {
  apply(e: BridgeEvent): void;
  setPending(name: string, on: boolean): void;
  setActionError(msg: string | null): void;
}

export type DashboardStore = ReturnType<typeof createDashboardStore>;

const mbps = (bps: number) => bps / 1e6;

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function createDashboardStore(capacity = HISTORY_POINTS) {
  return createStore<DashboardState & DashboardActions>()((set, get) => {
    const addStats = (st: StatsView, base: DashboardState): Partial<DashboardState> | null => {
      if (st.atMs <= base.lastAtMs) return null;
      const latest: Record<number, PathSampleView> = {};
      const series: Record<number, Series<PathPoint>> = {};
      for (const p of st.paths) {
        const prevLatest = base.latest[p.pathId];
        // Keep the old object when nothing changed, so that path's subscribers stay asleep.
        latest[p.pathId] = prevLatest && shallowEqual(prevLatest, p) ? prevLatest : p;
        const prev = base.series[p.pathId];
        const ring = prev?.ring ?? new Ring<PathPoint>(capacity);
        ring.push({
          t: st.atMs,
          rttMs: p.rttMs,
          rttVarMs: p.rttVarMs,
          lossPct: p.lossRatio * 100,
          txMbps: mbps(p.txBps),
          rxMbps: mbps(p.rxBps),
        });
        series[p.pathId] = { ring, rev: (prev?.rev ?? 0) + 1 };
      }
      const ids = st.paths.map((p) => p.pathId).sort((a, b) => a - b);
      base.aggregate.ring.push({
        t: st.atMs,
        txMbps: mbps(st.aggregate.txBps),
        rxMbps: mbps(st.aggregate.rxBps),
      });
      return {
        latest,
        series,
        pathIds: sameIds(ids, base.pathIds) ? base.pathIds : ids,
        aggregate: { ring: base.aggregate.ring, rev: base.aggregate.rev + 1 },
        aggregateNow: { txBps: st.aggregate.txBps, rxBps: st.aggregate.rxBps },
        uptimeMs: st.sessionUptimeMs,
        lastAtMs: st.atMs,
      };
    };

    return {
      snapshot: null,
      pathIds: [],
      latest: {},
      series: {},
      aggregate: { ring: new Ring<AggregatePoint>(capacity), rev: 0 },
      aggregateNow: { txBps: 0, rxBps: 0 },
      uptimeMs: 0,
      lastAtMs: Number.NEGATIVE_INFINITY,
      pending: {},
      actionError: null,

      apply(e: BridgeEvent) {
        const s = get();
        if (e.kind === 'stats') {
          const patch = addStats(e.stats, s);
          if (patch) set(patch);
          return;
        }
        const snap = e.snapshot;
        const patch: Partial<DashboardState> = { snapshot: snap };
        if (snap.stats) Object.assign(patch, addStats(snap.stats, s) ?? {});
        else if (snap.state === 'helper-down' || snap.state === 'disconnected') {
          // No live paths: clear the per-path views (history rings are dropped with them).
          Object.assign(patch, {
            pathIds: [],
            latest: {},
            series: {},
            aggregateNow: { txBps: 0, rxBps: 0 },
            uptimeMs: 0,
          });
          // Sample times are the helper's own monotonic clock: a restarted helper starts again
          // near 0, so forget the old helper's clock (and its aggregate history on that clock),
          // or every sample of the new one would be dropped as "older".
          if (snap.state === 'helper-down')
            Object.assign(patch, {
              lastAtMs: Number.NEGATIVE_INFINITY,
              aggregate: { ring: new Ring<AggregatePoint>(capacity), rev: s.aggregate.rev + 1 },
            });
        }
        set(patch);
      },
      setPending(name, on) {
        const pending = { ...get().pending };
        if (on) pending[name] = true;
        else delete pending[name];
        set({ pending });
      },
      setActionError(msg) {
        set({ actionError: msg });
      },
    };
  });
}

function shallowEqual(a: PathSampleView, b: PathSampleView): boolean {
  for (const k of Object.keys(a) as (keyof PathSampleView)[]) if (a[k] !== b[k]) return false;
  return true;
}

// ── selectors (narrow on purpose) ────────────────────────────────────────────────────────────
type S = DashboardState;
export const selectSnapshot = (s: S) => s.snapshot;
export const selectPathIds = (s: S) => s.pathIds;
export const selectPathLatest = (id: number) => (s: S) => s.latest[id];
export const selectPathSeries = (id: number) => (s: S) => s.series[id];
export const selectAggregate = (s: S) => s.aggregate;
export const selectAggregateNow = (s: S) => s.aggregateNow;
export const selectUptime = (s: S) => s.uptimeMs;
export const selectPending = (name: string) => (s: S) => s.pending[name] === true;
export const selectActionError = (s: S) => s.actionError;
