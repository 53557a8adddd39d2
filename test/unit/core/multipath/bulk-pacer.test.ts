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
    const p = new BulkPacer();
    p.onSample(0, 20, 10, 100 * MBIT);
    assert.ok(Math.abs(p.rate - 90 * MBIT) < 1, `engaged at ${p.rate / MBIT} Mbit/s`);
    const out = drainFor(p, 0, 1000);
    assert.ok(out > 85 * MBIT && out < 95 * MBIT, `${(out / MBIT).toFixed(1)} Mbit in 1 s`);
    // Queue gone: grows toward 95 % of the rate where the queue built, then 0.5 % per sample.
    p.onSample(1000, 10.5, 10, p.rate);
    assert.ok(Math.abs(p.rate - 95 * MBIT) < 1, `one sample later: ${p.rate / MBIT}`);
    for (let t = 1100; t < 3000; t += 100) p.onSample(t, 10.5, 10, p.rate);
    assert.ok(p.rate > 103 * MBIT && p.rate < 106 * MBIT, `after 2 s without a queue: ${p.rate / MBIT}`);
  });

  test('a persisting queue cuts the rate once per RTT, never below 1 Mbit/s', () => {
    const p = new BulkPacer();
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
    const p = new BulkPacer();
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

  test('no pacing for a queue on a path we hardly use', () => {
    const p = new BulkPacer();
    p.onSample(0, 60, 10, 2 * MBIT);
    assert.equal(p.rate, 0);
  });

  test('app-limited traffic releases pacing; a new queue engages it again', () => {
    const p = new BulkPacer();
    p.onSample(0, 20, 10, 100 * MBIT);
    assert.ok(p.rate > 0);
    p.onSample(100, 10.2, 10, 10 * MBIT);
    assert.equal(p.rate, 0, 'bulk ended');
    p.onSample(200, 25, 10, 40 * MBIT);
    assert.ok(Math.abs(p.rate - 36 * MBIT) < 1);
  });
});
