import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PathSampleView, Snapshot, StatsView } from '../../../app/renderer/model.ts';
import {
  createDashboardStore,
  selectAggregate,
  selectPathIds,
  selectPathLatest,
  selectPathSeries,
} from '../../../app/renderer/state/store.ts';

function path(pathId: number, over: Partial<PathSampleView> = {}): PathSampleView {
  return {
    pathId,
    interface: pathId === 0 ? 'wlan0' : 'wwan0',
    state: 'active',
    rttMs: 20,
    rttVarMs: 2,
    lossRatio: 0.01,
    txBps: 1e6,
    rxBps: 2e6,
    share: 0.5,
    cwnd: 30_000,
    reorderEvents: 0,
    stalled: false,
    ...over,
  };
}

function stats(atMs: number, paths: PathSampleView[]): StatsView {
  return { atMs, paths, aggregate: { txBps: 2e6, rxBps: 4e6 }, sessionUptimeMs: atMs };
}

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    state: 'connected',
    target: 'connected',
    peer: null,
    mode: 'aggregate',
    scheduler: 'weighted',
    interfaces: [],
    helper: { reachable: true, readOnly: false },
    banners: [],
    stats: null,
    ...over,
  };
}

describe('dashboard store', () => {
  test('history rings are bounded: 10 000 samples keep exactly `capacity` points per path and aggregate', () => {
    const store = createDashboardStore(50);
    for (let t = 1; t <= 10_000; t++)
      store.getState().apply({ kind: 'stats', stats: stats(t, [path(0, { txBps: t }), path(1)]) });
    const s = store.getState();
    for (const id of [0, 1]) {
      const pts = selectPathSeries(id)(s)?.ring.toArray() ?? [];
      assert.equal(pts.length, 50);
      assert.equal(pts.at(-1)?.t, 10_000);
      assert.equal(pts[0]?.t, 10_000 - 49);
    }
    assert.equal(selectAggregate(s).ring.size, 50);
    assert.equal(selectPathLatest(0)(s)?.txBps, 10_000);
  });

  test("selectors are narrow: a sample that changes path 0 only leaves path 1's latest slice identical", () => {
    const store = createDashboardStore();
    store.getState().apply({ kind: 'stats', stats: stats(1, [path(0), path(1)]) });
    const before = store.getState();
    const p1Before = selectPathLatest(1)(before);
    const idsBefore = selectPathIds(before);
    store.getState().apply({ kind: 'stats', stats: stats(2, [path(0, { rttMs: 99 }), path(1)]) });
    const after = store.getState();
    assert.notEqual(selectPathLatest(0)(after), selectPathLatest(0)(before), 'path 0 changed');
    assert.equal(selectPathLatest(0)(after)?.rttMs, 99);
    assert.equal(selectPathLatest(1)(after), p1Before, 'path 1 slice is the same object');
    assert.equal(selectPathIds(after), idsBefore, 'path id list is the same array');
  });

  test('a subscriber on one path is not notified by a change on another path', () => {
    const store = createDashboardStore();
    store.getState().apply({ kind: 'stats', stats: stats(1, [path(0), path(1)]) });
    let p1Calls = 0;
    let p0Calls = 0;
    // What useStore(store, selector) does: compare the selected slice with Object.is.
    const watch = (sel: (s: ReturnType<typeof store.getState>) => unknown, bump: () => void) => {
      let prev = sel(store.getState());
      store.subscribe((s) => {
        const next = sel(s);
        if (!Object.is(prev, next)) bump();
        prev = next;
      });
    };
    watch(selectPathLatest(1), () => p1Calls++);
    watch(selectPathLatest(0), () => p0Calls++);
    for (let t = 2; t <= 11; t++)
      store.getState().apply({ kind: 'stats', stats: stats(t, [path(0, { txBps: t }), path(1)]) });
    assert.equal(p0Calls, 10);
    assert.equal(p1Calls, 0);
  });

  test('stale or duplicate samples are ignored (snapshot + stats may carry the same sample)', () => {
    const store = createDashboardStore();
    const st = stats(5, [path(0)]);
    store.getState().apply({ kind: 'snapshot', snapshot: snapshot({ stats: st }) });
    store.getState().apply({ kind: 'stats', stats: st });
    store.getState().apply({ kind: 'stats', stats: stats(4, [path(0)]) });
    assert.equal(selectPathSeries(0)(store.getState())?.ring.size, 1);
  });

  test('path set changes: new ids array, vanished paths dropped; helper-down clears the live views', () => {
    const store = createDashboardStore();
    store.getState().apply({ kind: 'stats', stats: stats(1, [path(1), path(0)]) });
    assert.deepEqual(selectPathIds(store.getState()), [0, 1]);
    store.getState().apply({ kind: 'stats', stats: stats(2, [path(0)]) });
    assert.deepEqual(selectPathIds(store.getState()), [0]);
    assert.equal(selectPathSeries(1)(store.getState()), undefined);
    store.getState().apply({
      kind: 'snapshot',
      snapshot: snapshot({
        state: 'helper-down',
        helper: { reachable: false, readOnly: false, reason: 'not-running' },
      }),
    });
    assert.deepEqual(selectPathIds(store.getState()), []);
    assert.equal(store.getState().snapshot?.state, 'helper-down');
  });

  test("a restarted helper's samples are taken in although its clock starts again near 0", () => {
    const store = createDashboardStore();
    for (let t = 1000; t <= 60_000; t += 500)
      store.getState().apply({ kind: 'stats', stats: stats(t, [path(0), path(1)]) });
    store.getState().apply({
      kind: 'snapshot',
      snapshot: snapshot({
        state: 'helper-down',
        helper: { reachable: false, readOnly: false, reason: 'not-running' },
      }),
    });
    assert.equal(selectAggregate(store.getState()).ring.size, 0, 'old-clock history dropped');
    // The new helper has been up for 800 ms: far below the old one's last sample time.
    store
      .getState()
      .apply({ kind: 'snapshot', snapshot: snapshot({ stats: stats(800, [path(0), path(1)]) }) });
    store.getState().apply({ kind: 'stats', stats: stats(1300, [path(0), path(1, { txBps: 7 })]) });
    const s = store.getState();
    assert.deepEqual(selectPathIds(s), [0, 1]);
    assert.equal(selectPathLatest(1)(s)?.txBps, 7);
    assert.equal(selectPathSeries(0)(s)?.ring.size, 2);
    assert.equal(selectAggregate(s).ring.size, 2);
  });

  test('pending toggles and action errors', () => {
    const store = createDashboardStore();
    store.getState().setPending('wlan0', true);
    assert.equal(store.getState().pending.wlan0, true);
    store.getState().setPending('wlan0', false);
    assert.equal('wlan0' in store.getState().pending, false);
    store.getState().setActionError('x failed');
    assert.equal(store.getState().actionError, 'x failed');
  });
});
