import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { newPathView } from '../../../../app/core/multipath/path-view.ts';
import { ReorderBuffer } from '../../../../app/core/multipath/reorder-buffer.ts';
import {
  freeLane,
  LANE_IDLE_MS,
  MAX_LANES,
  ReorderLanes,
} from '../../../../app/core/multipath/reorder-lanes.ts';
import { reorderPolicy } from '../../../../app/core/multipath/reorder-policy.ts';
import { millis, pathId } from '../../../../app/core/types.ts';

function drain(b: ReorderBuffer<number>, now: number): number[] {
  const out: number[] = [];
  for (let x = b.poll(millis(now)); x !== undefined; x = b.poll(millis(now))) out.push(x);
  return out;
}

describe('ReorderLanes', () => {
  test('passed = the lowest highest sequence number over the live lanes', () => {
    const l = new ReorderLanes();
    l.open(0, 0);
    l.open(1, 0);
    l.saw(0, 10, 1);
    assert.equal(l.passed(1), null, 'lane 1 bound but not heard yet: the rule cannot say');
    l.saw(1, 7, 2);
    assert.equal(l.passed(2), 7);
    l.saw(1, 12, 3);
    assert.equal(l.passed(3), 10);
    l.saw(0, 9, 4);
    assert.equal(l.passed(4), 10, 'a lane going backwards does not lower its highest');
  });

  test('a silent lane stops counting after LANE_IDLE_MS; a closed lane at once', () => {
    const l = new ReorderLanes();
    l.open(0, 0);
    l.open(1, 0);
    l.saw(0, 5, 10);
    l.saw(1, 3, 10);
    assert.equal(l.passed(10), 3);
    for (let t = 20; t <= 10 + LANE_IDLE_MS + 20; t += 10) l.saw(0, 5 + t, t);
    assert.equal(
      l.passed(10 + LANE_IDLE_MS + 20),
      5 + 10 + LANE_IDLE_MS + 20,
      'lane 1 idle: lane 0 alone decides',
    );
    l.close(0);
    assert.equal(l.passed(10 + LANE_IDLE_MS + 20), null, 'no live lane');
  });

  test('after the whole session was silent, every bound lane counts as live again', () => {
    const l = new ReorderLanes();
    l.open(0, 0);
    l.open(1, 0);
    l.saw(0, 100, 1);
    l.saw(1, 99, 1);
    const t = 1 + LANE_IDLE_MS + 500;
    l.saw(0, 200, t);
    assert.equal(l.passed(t), 99, 'the slow lane may still bring 101..199: it blocks the rule');
  });

  test('traffic on an unknown lane turns the rule off; bounds are respected', () => {
    const l = new ReorderLanes();
    l.open(0, 0);
    l.saw(0, 10, 1);
    l.saw(-1, 11, 2);
    assert.equal(l.passed(2), null);
    assert.equal(l.passed(2 + LANE_IDLE_MS + 1), null, 'lane 0 idle too');
    l.open(MAX_LANES, 0);
    l.saw(MAX_LANES, 1, 3);
    assert.equal(l.passed(3), null);
  });

  test('works across the uint32 wrap', () => {
    const l = new ReorderLanes();
    l.open(0, 0);
    l.open(1, 0);
    l.saw(0, 0xfffffffe, 1);
    l.saw(1, 3, 1);
    assert.equal(l.passed(1), 0xfffffffe);
  });
});

describe('ReorderBuffer with lanes', () => {
  test('a gap every live path has passed is released at once (a loss), not after the hold', () => {
    const b = new ReorderBuffer<number>(64, 200);
    b.lanes.open(0, 0);
    b.lanes.open(1, 0);
    b.push(0, 0, millis(0), false, 0);
    b.push(1, 1, millis(0), false, 1);
    assert.deepEqual(drain(b, 0), [0, 1]);
    // 2 is lost on lane 0; lane 0 delivers 3 and 5, lane 1 still has 4 in flight.
    b.push(3, 3, millis(1), false, 0);
    b.push(5, 5, millis(1), false, 0);
    assert.deepEqual(drain(b, 1), [], 'lane 1 has not passed 2: it may be there');
    b.push(4, 4, millis(20), false, 1);
    assert.deepEqual(drain(b, 20), [3, 4, 5], 'lane 1 passed 2 too: 2 is lost, released at 20 ms, not 201');
    assert.equal(b.counters.lossReleases, 1);
    assert.equal(b.counters.gapsSkipped, 1);
    assert.equal(b.counters.timeoutReleases, 0);
  });

  test('a gap on the slow path is held until it arrives (no early release)', () => {
    const b = new ReorderBuffer<number>(64, 200);
    b.lanes.open(0, 0);
    b.lanes.open(1, 0);
    b.push(0, 0, millis(0), false, 1);
    for (let s = 1; s < 10; s++) b.push(s * 2, s * 2, millis(s), false, 0);
    assert.deepEqual(drain(b, 10), [0]);
    for (let s = 0; s < 9; s++) b.push(s * 2 + 1, s * 2 + 1, millis(30 + s), false, 1);
    assert.deepEqual(drain(b, 40), [...Array(19).keys()].slice(1));
    assert.equal(b.counters.gapsSkipped, 0);
    assert.ok(b.fillDelayMs(millis(40)) >= 28, `fill delay ${b.fillDelayMs(millis(40))}`);
  });

  test('fill delay: late packets count with what they missed by; the max ages out', () => {
    const b = new ReorderBuffer<number>(64, 10);
    b.push(0, 0, millis(0));
    b.push(2, 2, millis(0));
    assert.deepEqual(drain(b, 11), [0, 2]);
    b.push(1, 1, millis(31));
    assert.deepEqual(drain(b, 31), [1]);
    assert.equal(b.counters.late, 1);
    assert.ok(b.fillDelayMs(millis(31)) >= 30, 'hold 10 + 20 ms after the release');
    assert.equal(b.fillDelayMs(millis(10_000)), 0);
  });

  test('property: with FIFO lanes nothing is delivered late and everything exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1), fc.boolean()), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (sends, slowDelay) => {
          // Packet i + 1 goes on lane l (0 = 1 ms, 1 = slowDelay ms); `lost` ones never arrive.
          // Packet 0 starts the window (the first arrival sets it).
          const arrivals: { seq: number; lane: number; at: number }[] = [{ seq: 0, lane: 0, at: 0 }];
          sends.forEach(([lane, lost], i) => {
            if (!lost || i === sends.length - 1)
              arrivals.push({ seq: i + 1, lane, at: i + 1 + (lane ? slowDelay : 1) });
          });
          arrivals.sort((a, b) => a.at - b.at || a.seq - b.seq);
          const b = new ReorderBuffer<number>(512, 1000);
          b.lanes.open(0, 0);
          b.lanes.open(1, 0);
          const got: number[] = [];
          for (const a of arrivals) {
            b.push(a.seq, a.seq, millis(a.at), false, a.lane);
            got.push(...drain(b, a.at));
          }
          got.push(...drain(b, 1_000_000));
          assert.deepEqual(
            got,
            arrivals.map((a) => a.seq).sort((x, y) => x - y),
          );
          assert.equal(b.counters.late, 0);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('reorderPolicy', () => {
  const view = (id: number, srttMs: number, state: 'active' | 'standby' = 'active') => {
    const v = newPathView(pathId(id));
    v.state = state;
    v.srttMs = srttMs;
    return v;
  };
  test('bypass with one active path; hold = half the RTT spread + 10 ms, or the measured fill delay', () => {
    assert.equal(reorderPolicy([view(0, 10), view(1, 50, 'standby')], 0).bypass, true);
    const two = [view(0, 10), view(1, 50)];
    assert.deepEqual(reorderPolicy(two, 0), { bypass: false, holdMs: 30 });
    assert.deepEqual(reorderPolicy(two, 40), { bypass: false, holdMs: 52 });
    assert.equal(reorderPolicy(two, 10_000).holdMs, 300, 'capped');
    assert.equal(reorderPolicy([view(0, 10), view(1, 10)], 0).holdMs, 10);
  });
});

describe('freeLane', () => {
  test('the lowest lane no bound path uses; unbound (-1) ignored; -1 when all are taken', () => {
    assert.equal(freeLane([]), 0);
    assert.equal(freeLane([0, 2, -1]), 1);
    assert.equal(freeLane([1, 0, 2]), 3);
    assert.equal(freeLane(Array.from({ length: MAX_LANES }, (_, i) => i)), -1);
  });
});
