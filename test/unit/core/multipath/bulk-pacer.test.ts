import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BulkPacer } from '../../../../app/core/multipath/bulk-pacer.ts';

const MBIT = 125_000; // bytes/s

/** Bytes the pacer lets out over `ms` when offered far more, in 1 ms steps of 1500-byte packets. */
function drainFor(p: BulkPacer, from: number, ms: number): number {
  let sent = 0;
  for (let t = from; t < from + ms; t++) {
    while (p.hasRoom(t)) {
      sent += 1500;
      if (!p.consume(t, 1500)) break;
    }
  }
  return sent;
}

/** A pacer whose path has carried `mbit` Mbit/s with no queue for one sample (at t = -100). */
function busy(mbit = 100): BulkPacer {
  const p = new BulkPacer();
  p.onSample(-100, 10, 10, mbit * MBIT);
  return p;
}

describe('BulkPacer', () => {
  test('does not limit while RTTs are unknown or the path has no queue', () => {
    const p = new BulkPacer();
    p.onSample(0, Number.NaN, Number.NaN, 50 * MBIT);
    assert.equal(p.rate, 0);
    p.onSample(100, 11, 10, 50 * MBIT);
    assert.equal(p.rate, 0, 'queue of 1 ms: no pacing');
    assert.equal(p.hasRoom(100), true);
  });

  test('a queue engages pacing below what the path carries; it drains, then the rate creeps up', () => {
    const p = busy();
    p.onSample(0, 20, 10, 100 * MBIT);
    assert.ok(Math.abs(p.rate - 90 * MBIT) < 1, `engaged at ${p.rate / MBIT} Mbit/s`);
    const out = drainFor(p, 0, 1000);
    assert.ok(out > 85 * MBIT && out < 95 * MBIT, `${(out / MBIT).toFixed(1)} Mbit in 1 s`);
    // Queue gone: back fast to 95 % of the most the path carried (a provisional ceiling: a
    // start-up's rate), then 1 % per sample...
    p.onSample(1000, 10.5, 10, p.rate);
    assert.ok(Math.abs(p.rate - 95 * MBIT) < 1, `one sample later: ${p.rate / MBIT}`);
    p.onSample(1100, 10.5, 10, p.rate);
    assert.ok(Math.abs(p.rate - 95.95 * MBIT) < 0.1, `two samples later: ${p.rate / MBIT}`);
    // ...until a queue builds while paced: that rate is the ceiling. Cut, back up fast to 95 %
    // of it, then 0.2 % per sample around it (each probe that finds it holds a queue)...
    p.onSample(1200, 14, 10, 100 * MBIT);
    assert.ok(Math.abs(p.rate - 86.355 * MBIT) < 0.1, `cut: ${p.rate / MBIT}`);
    p.onSample(1300, 10.5, 10, p.rate);
    assert.ok(Math.abs(p.rate - 0.95 * 95.95 * MBIT) < 0.1, `near the ceiling: ${p.rate / MBIT}`);
    for (let t = 1400; t < 3400; t += 100) p.onSample(t, 10.5, 10, p.rate);
    assert.ok(
      p.rate > 94.5 * MBIT && p.rate < 95.2 * MBIT,
      `after 2 s more without a queue: ${p.rate / MBIT}`,
    );
    // ...and 1 % per sample once 2 % past it with still no queue: the capacity grew.
    let t = 3400;
    for (; t < 60_000 && p.rate < 2 * 95.95 * MBIT; t += 100) p.onSample(t, 10.5, 10, p.rate);
    assert.ok(t - 3400 <= 10_000, `twice the ceiling after ${(t - 3400) / 1000} s more`);
  });

  test('after a pause (an event-loop stall) at most 2 ms of the rate leaves at once', () => {
    const p = busy();
    p.onSample(0, 20, 10, 100 * MBIT);
    drainFor(p, 0, 50);
    // 20 ms with nothing sent: the bucket refills to its depth, not to 20 ms of the rate.
    let burst = 0;
    while (p.hasRoom(70)) {
      burst += 1500;
      if (!p.consume(70, 1500)) break;
    }
    // 2 ms of 90 Mbit/s: the queue this adds ahead of the next ping at the bottleneck.
    const twoMs = (p.rate * 2) / 1000;
    assert.ok(burst <= twoMs + 1500, `${burst} bytes at once; 2 ms of the rate is ${twoMs}`);
    assert.ok(burst >= twoMs - 1500, `${burst} bytes: the bucket refilled`);
  });

  test('a persisting queue cuts the rate once per RTT, never below 1 Mbit/s', () => {
    const p = busy();
    p.onSample(0, 60, 10, 100 * MBIT);
    const r0 = p.rate;
    p.onSample(20, 60, 10, 100 * MBIT);
    assert.equal(p.rate, r0, 'within one RTT (60 ms) of the last cut');
    p.onSample(100, 60, 10, 100 * MBIT);
    assert.ok(p.rate < r0 * 0.95);
    let t = 200;
    for (; t < 10_000 && p.rate > MBIT; t += 100) p.onSample(t, 60, 10, p.rate);
    assert.equal(p.rate, MBIT, 'at the floor');
    assert.ok(p.hasRoom(t), 'still sends: RTT samples keep coming');
  });

  test('a queue that stays at the floor is not ours: released, and left alone for a while', () => {
    const p = busy(5);
    let t = 0;
    for (; t < 10_000 && p.rate !== MBIT; t += 100) p.onSample(t, 60, 10, Math.max(p.rate, 5 * MBIT));
    assert.equal(p.rate, MBIT);
    const atFloor = t;
    for (; t < atFloor + 3000 && p.rate > 0; t += 100) p.onSample(t, 60, 10, MBIT);
    assert.equal(p.rate, 0, 'released');
    assert.ok(t - atFloor >= 2000, `after ${t - atFloor} ms at the floor`);
    p.onSample(t + 100, 60, 10, 50 * MBIT);
    assert.equal(p.rate, 0, 'not taken up again at once');
    p.onSample(t + 10_100, 60, 10, 50 * MBIT);
    assert.ok(p.rate > 0, 'taken up again later');
  });

  test('traffic well under the rate releases pacing, unless bulk is held back for it', () => {
    const p = busy(50);
    p.onSample(0, 20, 10, 50 * MBIT);
    const rate = p.rate;
    assert.ok(rate > 0);
    // A sample that reads a fifth of the rate (a pause, or a stall of our own loop) while bulk
    // waits for this pacer: releasing would send the whole held queue into the bottleneck.
    p.onSample(100, 10.5, 10, 10 * MBIT, true);
    assert.ok(p.rate >= rate, `still pacing at ${p.rate / MBIT}`);
    p.onSample(200, 10.5, 10, 10 * MBIT, false);
    assert.equal(p.rate, 0, 'released: nothing waits, the traffic is app-limited');
  });

  test('no pacing for a queue on a path we hardly use', () => {
    const p = new BulkPacer();
    p.onSample(0, 60, 10, 2 * MBIT);
    assert.equal(p.rate, 0);
  });

  test("the first sample of a flow does not engage: its RTT is still the idle path's", () => {
    const p = new BulkPacer();
    p.onSample(0, 16, 13, 0);
    p.onSample(100, 15, 13, 9 * MBIT);
    assert.equal(p.rate, 0, 'idle srtt 16 over 13 ms, first 100 ms of a flow at 9 Mbit/s');
    p.onSample(200, 13, 13, 40 * MBIT);
    assert.equal(p.rate, 0, 'its own RTT: no queue');
    p.onSample(300, 30, 13, 95 * MBIT);
    assert.ok(Math.abs(p.rate - 85.5 * MBIT) < 1, `a real queue engages: ${p.rate / MBIT}`);
  });

  test('engaged during a slow-start ramp: the rate is not held near that low start', () => {
    // Lab trace (100 Mbit/s path): 65.5 then 45.6 Mbit/s with a 23 ms srtt over 11, then no queue.
    const p = new BulkPacer();
    p.onSample(0, 11, 11, 65.5 * MBIT);
    p.onSample(100, 23, 11, 45.6 * MBIT);
    assert.ok(Math.abs(p.rate - 41.04 * MBIT) < 0.1, `engaged at ${p.rate / MBIT}`);
    let t = 200;
    for (; t < 5200; t += 100) p.onSample(t, 10, 10, p.rate);
    // (Held at 95 % of 45.6 and +0.5 % per sample, as before: 54 Mbit/s.)
    assert.ok(p.rate > 90 * MBIT, `5 s later without a queue: ${(p.rate / MBIT).toFixed(1)} Mbit/s`);
  });

  test('app-limited traffic releases pacing; a new queue engages it again', () => {
    const p = busy();
    p.onSample(0, 20, 10, 100 * MBIT);
    assert.ok(p.rate > 0);
    p.onSample(100, 10.2, 10, 10 * MBIT);
    assert.equal(p.rate, 0, 'bulk ended');
    p.onSample(200, 25, 10, 40 * MBIT);
    assert.ok(Math.abs(p.rate - 36 * MBIT) < 1);
  });
});
