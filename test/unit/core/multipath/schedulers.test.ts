import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LatencyAwareScheduler } from '../../../../app/core/multipath/latency-aware.ts';
import { MultipathScheduler } from '../../../../app/core/multipath/multipath-scheduler.ts';
import { judgeQuality } from '../../../../app/core/multipath/path-state.ts';
import { type MutablePathView, newPathView } from '../../../../app/core/multipath/path-view.ts';
import { DEFAULT_REDUNDANT_COPIES, RedundantScheduler } from '../../../../app/core/multipath/redundant.ts';
import { RoundRobinScheduler } from '../../../../app/core/multipath/round-robin.ts';
import type { PacketInfo, Scheduler } from '../../../../app/core/multipath/scheduler.ts';
import { DEFAULT_PATH_TUNING } from '../../../../app/core/multipath/tuning.ts';
import { WeightedScheduler } from '../../../../app/core/multipath/weighted.ts';
import { flowId, millis, type PathId, pathId } from '../../../../app/core/types.ts';

function view(id: number, o: Partial<MutablePathView> = {}): MutablePathView {
  return { ...newPathView(pathId(id)), state: 'active', srttMs: 20, ...o };
}

const bulk: PacketInfo = {
  flowId: flowId(1),
  size: 1200,
  interactive: false,
  critical: false,
  fastLane: false,
};
const ssh = (flow = 7): PacketInfo => ({
  flowId: flowId(flow),
  size: 100,
  interactive: true,
  critical: false,
  fastLane: false,
});
const now = millis(0);

/** n picks; each pick's chosen ids joined with '+'; '-' for none. */
function picks(s: Scheduler, paths: MutablePathView[], n: number, pkt: PacketInfo = bulk): string[] {
  const out: PathId[] = [pathId(0), pathId(0), pathId(0), pathId(0)];
  const r: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = s.pick(pkt, paths, now, out);
    r.push(k === 0 ? '-' : out.slice(0, k).join('+'));
  }
  return r;
}

describe('round-robin', () => {
  test('cycles, skips a full window, returns 0 when none can send', () => {
    const p = [view(0), view(1), view(2)];
    const s = new RoundRobinScheduler();
    assert.deepEqual(picks(s, p, 6), ['0', '1', '2', '0', '1', '2']);
    (p[1] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 4), ['0', '2', '0', '2']);
    for (const v of p) v.canSend = false;
    assert.deepEqual(picks(s, p, 1), ['-']);
  });

  test('fast-lane packets (bare ACK, SYN) take the lowest-RTT path and do not move the cursor', () => {
    const p = [view(0, { srttMs: 60 }), view(1, { srttMs: 15 }), view(2, { srttMs: 30 })];
    const s = new RoundRobinScheduler();
    const ack: PacketInfo = { ...bulk, size: 72, interactive: true, critical: true, fastLane: true };
    assert.deepEqual(picks(s, p, 1), ['0']);
    assert.deepEqual(picks(s, p, 3, ack), ['1', '1', '1']);
    assert.deepEqual(picks(s, p, 2), ['1', '2']);
  });
});

describe('weighted (smooth weighted round-robin)', () => {
  test('weights 2:1 give A B A, A B A - exact and spread out', () => {
    const s = new WeightedScheduler();
    assert.deepEqual(picks(s, [view(0, { weight: 2 }), view(1, { weight: 1 })], 6), [
      '0',
      '1',
      '0',
      '0',
      '1',
      '0',
    ]);
  });

  test('weights 5:1:1 (nginx example) give a a b a c a a', () => {
    const s = new WeightedScheduler();
    const p = [view(0, { weight: 5 }), view(1, { weight: 1 }), view(2, { weight: 1 })];
    assert.deepEqual(picks(s, p, 7), ['0', '0', '1', '0', '2', '0', '0']);
  });

  test('capacity multiplies the weight; unknown capacity counts as the best known', () => {
    const s = new WeightedScheduler();
    // Equal config weights, capacity 3:1.
    const p = [view(0, { bandwidth: 3e6 }), view(1, { bandwidth: 1e6 })];
    const r = picks(s, p, 400);
    assert.equal(r.filter((x) => x === '0').length, 300);
    const s2 = new WeightedScheduler();
    const q = [view(0, { bandwidth: 3e6 }), view(1, { bandwidth: 0 })];
    const r2 = picks(s2, q, 400);
    assert.equal(r2.filter((x) => x === '1').length, 200, 'unknown = optimistic');
  });

  test('a path with a full window neither earns nor spends credit', () => {
    const s = new WeightedScheduler();
    const p = [view(0), view(1)];
    (p[1] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 5), ['0', '0', '0', '0', '0']);
    (p[1] as MutablePathView).canSend = true;
    // No burst of 1s to "catch up": back to alternating at once.
    assert.deepEqual(picks(s, p, 4), ['0', '1', '0', '1']);
  });
});

describe('weighted: fast-lane packets (bare TCP ACK or SYN)', () => {
  const ack: PacketInfo = { ...bulk, size: 72, interactive: true, critical: true, fastLane: true };

  test('take the lowest-RTT path with urgent room and leave the bulk credits alone', () => {
    const s = new WeightedScheduler();
    const p = [view(0, { srttMs: 60 }), view(1, { srttMs: 15 })];
    assert.deepEqual(picks(s, p, 4, ack), ['1', '1', '1', '1']);
    assert.deepEqual(picks(s, p, 4), ['0', '1', '0', '1'], 'bulk still alternates from where it was');
    (p[1] as MutablePathView).canSendUrgent = false;
    (p[1] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 2, ack), ['0', '0'], 'the fast path is full: the other one');
    (p[0] as MutablePathView).canSendUrgent = false;
    (p[0] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 1, ack), ['-']);
  });

  test('a quiet path (traffic unanswered) ranks after every answering one; bulk stays spread', () => {
    const s = new WeightedScheduler();
    const p = [view(0, { srttMs: 60 }), view(1, { srttMs: 15, quiet: true })];
    assert.deepEqual(picks(s, p, 2, ack), ['0', '0'], 'the slower path that answers');
    assert.deepEqual(picks(s, p, 4), ['0', '1', '0', '1'], 'bulk is not moved by quiet');
    (p[0] as MutablePathView).quiet = true;
    assert.deepEqual(picks(s, p, 1, ack), ['1'], 'all quiet: by RTT again');
    (p[0] as MutablePathView).quiet = false;
    (p[0] as MutablePathView).canSendUrgent = false;
    assert.deepEqual(picks(s, p, 1, ack), ['1'], 'the answering path is full: the quiet one beats none');
    (p[1] as MutablePathView).quiet = false;
    (p[0] as MutablePathView).canSendUrgent = true;
    assert.deepEqual(picks(s, p, 1, ack), ['1'], 'heard again: fastest again at once');
  });

  test('a quiet path keeps its packets when the only answering one is much slower', () => {
    // wifi0 (10 ms) turns quiet after 50 ms unanswered (2 x 10 + 25, 50 at least): a 600 ms path
    // is no detour; a 90 ms one is (at most 2 x that limit, 100 ms).
    const s = new WeightedScheduler();
    const p = [view(0, { srttMs: 10, quiet: true }), view(1, { srttMs: 600 })];
    assert.deepEqual(picks(s, p, 2, ack), ['0', '0'], 'a WiFi hiccup is cheaper than 600 ms');
    (p[1] as MutablePathView).srttMs = 90;
    assert.deepEqual(picks(s, p, 2, ack), ['1', '1'], 'a 90 ms detour');
    (p[1] as MutablePathView).srttMs = 100;
    assert.deepEqual(picks(s, p, 1, ack), ['1'], 'on a tie the answering path');
  });

  test('other small packets (data, SYN+ACK, FIN) stay spread like bulk', () => {
    const s = new WeightedScheduler();
    const p = [view(0, { srttMs: 60 }), view(1, { srttMs: 15 })];
    const small: PacketInfo = { ...ack, fastLane: false };
    assert.deepEqual(picks(s, p, 4, small), ['0', '1', '0', '1']);
  });
});

describe('latency-aware', () => {
  const cfg = { interactiveMaxRttMs: 50, bulkMinBandwidthMbps: 5 };

  test('interactive → lowest RTT, unknown RTT last', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { srttMs: 80 }), view(1, { srttMs: 30 }), view(2, { srttMs: Number.NaN })];
    assert.deepEqual(picks(s, p, 3, ssh()), ['1', '1', '1']);
  });

  test('a pinned flow stays while its path is under interactive_max_rtt or not clearly beaten', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { srttMs: 40 }), view(1, { srttMs: 45 })];
    assert.deepEqual(picks(s, p, 1, ssh()), ['0']);
    // Path 1 becomes faster, but 0 is still under 50 ms: stay.
    (p[0] as MutablePathView).srttMs = 48;
    (p[1] as MutablePathView).srttMs = 10;
    assert.deepEqual(picks(s, p, 1, ssh()), ['0']);
    // Over 50 ms but not clearly beaten (45 × 1.5 + 10 = 77.5 ≥ 60): stay.
    (p[0] as MutablePathView).srttMs = 60;
    (p[1] as MutablePathView).srttMs = 45;
    assert.deepEqual(picks(s, p, 1, ssh()), ['0']);
    // Clearly beaten (20 × 1.5 + 10 = 40 < 60): move, and stay moved.
    (p[1] as MutablePathView).srttMs = 20;
    assert.deepEqual(picks(s, p, 2, ssh()), ['1', '1']);
    // A new flow takes the lowest RTT directly.
    assert.deepEqual(picks(s, p, 1, ssh(99)), ['1']);
  });

  test('a pinned flow leaves a quiet path for an answering one, and may come back', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { srttMs: 10 }), view(1, { srttMs: 30 })];
    assert.deepEqual(picks(s, p, 1, ssh()), ['0']);
    (p[0] as MutablePathView).quiet = true;
    assert.deepEqual(picks(s, p, 2, ssh()), ['1', '1']);
    (p[1] as MutablePathView).quiet = true;
    assert.deepEqual(picks(s, p, 1, ssh()), ['1'], 'both quiet: the pin holds (30 ms is under 50)');
    (p[0] as MutablePathView).quiet = false;
    (p[1] as MutablePathView).quiet = false;
    (p[1] as MutablePathView).srttMs = 60;
    assert.deepEqual(picks(s, p, 1, ssh()), ['0'], 'beaten clearly: back to the fast path');
  });

  test('pinned path gone (not eligible) → re-pinned to the best', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { srttMs: 10 }), view(1, { srttMs: 30 })];
    assert.deepEqual(picks(s, p, 1, ssh()), ['0']);
    assert.deepEqual(picks(s, [p[1] as MutablePathView], 1, ssh()), ['1']);
    assert.deepEqual(picks(s, p, 1, ssh()), ['1'], 'path 0 is back, but 30 ms is under 50: the flow stays');
    (p[1] as MutablePathView).srttMs = 70;
    assert.deepEqual(picks(s, p, 1, ssh()), ['0'], '70 ms > 50 and > 10 × 1.5 + 10: the flow moves');
  });

  test('full window: detour only to a nearly-as-fast path, else 0 (wait)', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { srttMs: 10, canSend: false, canSendUrgent: false }), view(1, { srttMs: 600 })];
    assert.deepEqual(picks(s, p, 1, ssh()), ['-']);
    (p[1] as MutablePathView).srttMs = 24; // ≤ 10 × 1.5 + 10
    assert.deepEqual(picks(s, p, 1, ssh()), ['1']);
    (p[0] as MutablePathView).canSendUrgent = true;
    assert.deepEqual(picks(s, p, 1, ssh()), ['0'], 'the detour did not move the pin');
  });

  test('a path full for bulk still takes interactive packets while it has urgent room', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { srttMs: 10, canSend: false }), view(1, { srttMs: 12, canSend: false })];
    assert.deepEqual(picks(s, p, 2), ['-', '-'], 'no bulk');
    assert.deepEqual(picks(s, p, 1, ssh()), ['0']);
    const rr = new MultipathScheduler({ mode: 'aggregate', strategy: 'round-robin' });
    assert.deepEqual(picks(rr, p, 2, ssh()), ['0', '1']);
    assert.deepEqual(picks(rr, p, 1), ['-']);
    const fo = new MultipathScheduler({ mode: 'failover', strategy: 'weighted' });
    assert.deepEqual(picks(fo, p, 1, ssh()), ['0']);
    assert.deepEqual(picks(fo, p, 1), ['-']);
  });

  test('bulk: weighted over paths with enough bandwidth; all when none has', () => {
    const s = new LatencyAwareScheduler(cfg);
    const slow = 4e6 / 8; // 4 Mbit/s < 5
    const p = [view(0, { bandwidth: 10e6 / 8 }), view(1, { bandwidth: slow }), view(2, { bandwidth: 0 })];
    const r = picks(s, p, 20);
    assert.equal(r.filter((x) => x === '1').length, 0, 'below bulk_min_bandwidth');
    assert.equal(r.filter((x) => x === '2').length, 10, 'unknown bandwidth qualifies');
    const q = [view(0, { bandwidth: slow }), view(1, { bandwidth: slow })];
    assert.deepEqual(picks(new LatencyAwareScheduler(cfg), q, 4), ['0', '1', '0', '1']);
  });

  test('bulk: a path whose unloaded RTT is far above the fastest carries none, even when the fast one is full', () => {
    const s = new LatencyAwareScheduler(cfg);
    const p = [view(0, { minRttMs: 10 }), view(1, { minRttMs: 600 }), view(2, { minRttMs: 139 })];
    const r = picks(s, p, 20);
    assert.equal(r.filter((x) => x === '1').length, 0, '600 ms > 10 x 4 + 100');
    assert.equal(r.filter((x) => x === '2').length, 10, '139 ms is within 10 x 4 + 100');
    (p[0] as MutablePathView).canSend = false;
    (p[2] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 1), ['-'], 'the full fast paths are the signal the flow needs');
    (p[0] as MutablePathView).minRttMs = Number.NaN;
    (p[2] as MutablePathView).minRttMs = Number.NaN;
    assert.deepEqual(picks(s, p, 1), ['1'], 'the only path with a known RTT is the fastest known');
  });
});

describe('redundant', () => {
  test('two copies: interactive and critical go to the two lowest-RTT paths that can send; bulk once', () => {
    const s = new RedundantScheduler(2);
    const p = [view(0, { srttMs: 50 }), view(1, { srttMs: 10 }), view(2, { srttMs: 30 })];
    assert.deepEqual(picks(s, p, 1, ssh()), ['1+2']);
    assert.deepEqual(picks(s, p, 1, { ...bulk, critical: true }), ['1+2']);
    (p[2] as MutablePathView).canSendUrgent = false;
    assert.deepEqual(picks(s, p, 1, ssh()), ['1+0']);
    (p[0] as MutablePathView).canSendUrgent = false;
    assert.deepEqual(picks(s, p, 1, ssh()), ['1'], 'one copy when only one path can send');
    for (const v of p) v.canSendUrgent = true;
    assert.deepEqual(picks(s, p, 3), ['0', '1', '2']);
  });

  test('three copies (default): one per path, lowest RTT first, never twice on one path', () => {
    const s = new RedundantScheduler();
    assert.equal(s.copies, DEFAULT_REDUNDANT_COPIES);
    const p = [
      view(0, { srttMs: 50 }),
      view(1, { srttMs: 10 }),
      view(2, { srttMs: 30 }),
      view(3, { srttMs: 90 }),
    ];
    assert.deepEqual(picks(s, p, 1, ssh()), ['1+2+0']);
    assert.deepEqual(picks(new RedundantScheduler(4), p, 1, ssh()), ['1+2+0+3']);
    // Two paths: two copies now; the driver sends the third later (copiesFor - picked).
    assert.deepEqual(picks(s, p.slice(0, 2), 1, ssh()), ['1+0']);
    (p[1] as MutablePathView).srttMs = Number.NaN; // no RTT yet: last
    assert.deepEqual(picks(s, p, 1, ssh()), ['2+0+3']);
    // Unanswered: after the answering paths up to 2 x its quiet limit (170 ms), still before
    // a path with no RTT yet.
    (p[2] as MutablePathView).quiet = true;
    assert.deepEqual(picks(s, p, 1, ssh()), ['0+3+2']);
    (p[2] as MutablePathView).quiet = false;
    // A caller's out[] shorter than the copies bounds them.
    const out: PathId[] = [pathId(9), pathId(9)];
    assert.equal(s.pick(ssh(), p, now, out), 2);
    assert.deepEqual(out, [pathId(2), pathId(0)]);
  });

  test('copiesFor: the configured copies for interactive and critical packets in aggregate mode only', () => {
    const agg = new MultipathScheduler({ mode: 'aggregate', strategy: 'redundant' });
    assert.equal(agg.copiesFor(ssh()), DEFAULT_REDUNDANT_COPIES);
    assert.equal(agg.copiesFor({ ...bulk, critical: true }), DEFAULT_REDUNDANT_COPIES);
    assert.equal(agg.copiesFor(bulk), 1);
    const two = new MultipathScheduler({ mode: 'aggregate', strategy: 'redundant', redundantCopies: 2 });
    assert.equal(two.copiesFor(ssh()), 2);
    assert.equal(new MultipathScheduler({ mode: 'failover', strategy: 'redundant' }).copiesFor(ssh()), 1);
    assert.equal(
      new MultipathScheduler({ mode: 'aggregate', strategy: 'latency-aware' }).copiesFor(ssh()),
      1,
    );
  });
});

describe('modes', () => {
  test('aggregate: only Active paths are eligible; none → a probing path; nothing → 0', () => {
    const s = new MultipathScheduler({ mode: 'aggregate', strategy: 'round-robin' });
    const p = [
      view(0),
      view(1, { state: 'standby' }),
      view(2, { state: 'probing' }),
      view(3, { state: 'failed' }),
    ];
    assert.deepEqual(picks(s, p, 3), ['0', '0', '0']);
    (p[0] as MutablePathView).state = 'failed';
    // A just-joined path (its handshake worked) carries traffic before its probes come back.
    assert.deepEqual(picks(s, p, 2), ['2', '2']);
    (p[2] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 1), ['-']);
    (p[2] as MutablePathView).canSend = true;
    (p[2] as MutablePathView).state = 'failed';
    assert.deepEqual(picks(s, p, 1), ['-']);
  });

  test('failover: the primary carries everything; a backup only once the primary is down', () => {
    const s = new MultipathScheduler({ mode: 'failover', strategy: 'redundant' });
    const p = [
      view(0, { priority: 1, srttMs: 5 }),
      view(1, { priority: 0, srttMs: 50 }),
      view(2, { priority: 2 }),
    ];
    assert.deepEqual(picks(s, p, 3, ssh()), ['1', '1', '1'], 'priority, not RTT; no duplication');
    (p[1] as MutablePathView).state = 'standby';
    assert.deepEqual(picks(s, p, 1), ['1'], 'a degraded primary is still the primary');
    (p[1] as MutablePathView).state = 'failed';
    assert.deepEqual(picks(s, p, 1), ['0']);
    (p[1] as MutablePathView).state = 'probing';
    assert.deepEqual(picks(s, p, 1), ['0'], 'a returning primary must be confirmed first');
    (p[1] as MutablePathView).state = 'active';
    (p[1] as MutablePathView).canSend = false;
    assert.deepEqual(picks(s, p, 1), ['-'], 'full window on the primary: wait, do not spill');
  });

  test('a stalled path is skipped while another one is not; if all are stalled, all stay', () => {
    for (const strategy of ['round-robin', 'weighted', 'latency-aware', 'redundant'] as const) {
      const s = new MultipathScheduler({ mode: 'aggregate', strategy });
      const p = [view(0), view(1)];
      assert.ok(
        picks(s, p, 4).some((x) => x.includes('0')),
        strategy,
      );
      (p[0] as MutablePathView).stalled = true;
      assert.deepEqual(picks(s, p, 4), ['1', '1', '1', '1'], strategy);
      assert.ok(
        picks(s, p, 4, ssh()).every((x) => x === '1'),
        `${strategy}: interactive too`,
      );
      (p[1] as MutablePathView).stalled = true;
      assert.ok(
        picks(s, p, 8).some((x) => x.includes('0')),
        `${strategy}: all stalled`,
      );
      (p[0] as MutablePathView).stalled = false;
      (p[1] as MutablePathView).stalled = false;
      assert.ok(
        picks(s, p, 4).some((x) => x.includes('0')),
        `${strategy}: back`,
      );
    }
    const f = new MultipathScheduler({ mode: 'failover', strategy: 'weighted' });
    const q = [view(0, { priority: 0 }), view(1, { priority: 1 })];
    assert.deepEqual(picks(f, q, 2), ['0', '0']);
    (q[0] as MutablePathView).stalled = true;
    assert.deepEqual(picks(f, q, 2), ['1', '1'], 'failover: the backup while the primary is stalled');
    (q[1] as MutablePathView).stalled = true;
    assert.deepEqual(picks(f, q, 2), ['0', '0'], 'failover: all stalled, the primary');
  });

  test('disable: the primary path only, no fallback', () => {
    const s = new MultipathScheduler({ mode: 'disable', strategy: 'weighted' });
    const p = [view(0, { priority: 0 }), view(1, { priority: 1 })];
    assert.deepEqual(picks(s, p, 3), ['0', '0', '0']);
    (p[0] as MutablePathView).state = 'failed';
    assert.deepEqual(picks(s, p, 1), ['-']);
  });

  test('pick allocates nothing per packet (same out array, fixed result)', () => {
    const s = new MultipathScheduler({ mode: 'aggregate', strategy: 'latency-aware' });
    const p = [view(0), view(1)];
    const out: PathId[] = [pathId(9), pathId(9)];
    for (let i = 0; i < 1000; i++) s.pick(bulk, p, now, out);
    assert.equal(out.length, 2);
  });
});

describe('judgeQuality (demotion thresholds, relative to the path’s own baseline)', () => {
  const t = DEFAULT_PATH_TUNING;
  test('bad needs both the ratio and the margin', () => {
    assert.equal(judgeQuality(61, 20, 0, t), 'neutral', '×3.05 but only +41 ms');
    assert.equal(judgeQuality(71, 20, 0, t), 'bad');
    assert.equal(judgeQuality(140, 100, 0, t), 'good', '+40 ms but ×1.4: inside the promotion band');
    assert.equal(judgeQuality(250, 100, 0, t), 'neutral', '×2.5, +150 ms: between the bands');
    assert.equal(judgeQuality(301, 100, 0, t), 'bad');
    assert.equal(judgeQuality(600, 600, 0, t), 'good', 'a stable satellite link is not degraded');
  });

  test('good needs RTT and loss inside the promotion band', () => {
    assert.equal(judgeQuality(40, 20, 0, t), 'good');
    assert.equal(judgeQuality(44, 20, 0, t), 'good', '+24 ms');
    assert.equal(judgeQuality(46, 20, 0, t), 'neutral', '×2.3 and +26 ms');
    assert.equal(judgeQuality(20, 20, 0.1, t), 'good');
    assert.equal(judgeQuality(20, 20, 0.2, t), 'neutral');
    assert.equal(judgeQuality(20, 20, 0.31, t), 'bad');
    assert.equal(judgeQuality(Number.NaN, 20, 0, t), 'neutral');
  });
});
