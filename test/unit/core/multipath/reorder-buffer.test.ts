import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ReorderBuffer, seqDiff } from '../../../../app/core/multipath/reorder-buffer.ts';
import { millis } from '../../../../app/core/types.ts';

function drain<T>(b: ReorderBuffer<T>, now: number): T[] {
  const out: T[] = [];
  for (let x = b.poll(millis(now)); x !== undefined; x = b.poll(millis(now))) out.push(x);
  return out;
}

/** Pushes seq with ref = seq and returns what became ready at `now`. */
function push(b: ReorderBuffer<number>, seq: number, now = 0, immediate = false): number[] {
  b.push(seq, seq >>> 0, millis(now), immediate);
  return drain(b, now);
}

describe('seqDiff', () => {
  test('uint32 serial arithmetic across the wrap', () => {
    assert.equal(seqDiff(5, 3), 2);
    assert.equal(seqDiff(3, 5), -2);
    assert.equal(seqDiff(1, 0xffffffff), 2);
    assert.equal(seqDiff(0xfffffffe, 1), -3);
  });
});

describe('ReorderBuffer', () => {
  test('in order: delivered at once', () => {
    const b = new ReorderBuffer<number>(16, 50);
    assert.deepEqual(push(b, 10), [10]);
    assert.deepEqual(push(b, 11), [11]);
    assert.equal(b.pollTimeout(), null);
  });

  test('a gap holds later packets until it is filled, then releases in order', () => {
    const b = new ReorderBuffer<number>(16, 50);
    push(b, 1);
    assert.deepEqual(push(b, 3, 1), []);
    assert.deepEqual(push(b, 4, 2), []);
    assert.equal(b.held, 2);
    assert.equal(b.pollTimeout(), 51);
    assert.deepEqual(push(b, 2, 10), [2, 3, 4]);
    assert.equal(b.counters.reordered, 1);
    assert.equal(b.counters.gapsSkipped, 0);
  });

  test('hold time runs out: the gap is skipped; the missing packet arriving later is late, delivered', () => {
    const b = new ReorderBuffer<number>(16, 50);
    push(b, 1);
    push(b, 3, 0);
    push(b, 5, 20);
    assert.deepEqual(drain(b, 49), []);
    assert.deepEqual(drain(b, 50), [3], 'gap 2 skipped after 50 ms; 5 still within its hold');
    assert.equal(b.pollTimeout(), 70);
    assert.deepEqual(drain(b, 70), [5]);
    assert.equal(b.counters.gapsSkipped, 2);
    assert.equal(b.counters.timeoutReleases, 2);
    assert.deepEqual(push(b, 2, 80), [2]);
    assert.equal(b.counters.late, 1);
    assert.deepEqual(push(b, 2, 81), [], 'and a second copy of it is a duplicate');
    assert.equal(b.counters.duplicates, 1);
  });

  test('duplicates are dropped whether held or already delivered', () => {
    const b = new ReorderBuffer<number>(16, 50);
    push(b, 1);
    push(b, 3);
    assert.deepEqual(push(b, 3), [], 'held copy');
    assert.deepEqual(push(b, 1), [], 'delivered copy');
    assert.deepEqual(push(b, 2), [2, 3]);
    assert.deepEqual(push(b, 2), []);
    assert.equal(b.counters.duplicates, 3);
    assert.equal(b.counters.delivered, 3);
  });

  test('uint32 wraparound: 0xfffffffe, 0xffffffff, 0, 1 in order, even out of order', () => {
    const b = new ReorderBuffer<number>(16, 50);
    push(b, 0xfffffffe);
    assert.deepEqual(push(b, 1), []);
    assert.deepEqual(push(b, 0), []);
    assert.deepEqual(push(b, 0xffffffff), [0xffffffff, 0, 1]);
    assert.deepEqual(push(b, 0xffffffff), [], 'duplicate across the wrap');
  });

  test('capacity bound: a packet too far ahead forces the oldest gaps out; never more than cap held', () => {
    const b = new ReorderBuffer<number>(8, 1000);
    push(b, 0);
    for (let s = 2; s <= 8; s++) push(b, s);
    assert.equal(b.held, 7);
    // 9 is 9 ahead of next=1: the window must move past 1.
    assert.deepEqual(push(b, 9), [2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(b.counters.overflowReleases, 1);
    assert.equal(b.counters.gapsSkipped, 1);
    assert.ok(b.counters.maxHeld <= 8);
  });

  test('immediate (interactive) packets skip the hold but are deduplicated, and leave no gap', () => {
    const b = new ReorderBuffer<number>(16, 50);
    push(b, 1);
    assert.deepEqual(push(b, 3, 0, true), [3], 'delivered at once although 2 is missing');
    assert.deepEqual(push(b, 3, 1, true), [], 'redundant copy dropped');
    assert.deepEqual(push(b, 2, 2), [2]);
    assert.deepEqual(push(b, 4, 3), [4], 'the window passed over 3 without waiting');
    assert.equal(b.counters.gapsSkipped, 0);
    assert.equal(b.counters.duplicates, 1);
  });

  test('bypass: delivered as they come, still deduplicated; turning it on releases the held', () => {
    const b = new ReorderBuffer<number>(16, 50);
    push(b, 1);
    push(b, 3);
    b.setBypass(true);
    assert.deepEqual(drain(b, 0), [3]);
    assert.deepEqual(push(b, 5), [5]);
    assert.deepEqual(push(b, 4), [4]);
    assert.deepEqual(push(b, 5), []);
    b.setBypass(false);
    assert.deepEqual(push(b, 7), []);
    assert.deepEqual(push(b, 6), [6, 7]);
  });

  test('property: every distinct packet is delivered exactly once, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.tuple(fc.nat(40), fc.boolean()), { minLength: 1, maxLength: 200 }),
        fc.nat(30),
        (base, arrivals, hold) => {
          const b = new ReorderBuffer<number>(16, hold);
          const delivered = new Map<number, number>();
          let t = 0;
          const sent = new Set<number>();
          for (const [off, dup] of arrivals) {
            const seq = (base + off) >>> 0;
            sent.add(seq);
            b.push(seq, seq, millis(t));
            if (dup) b.push(seq, seq, millis(t));
            for (const x of drain(b, t)) delivered.set(x, (delivered.get(x) ?? 0) + 1);
            assert.ok(b.held <= 16);
            t += 1;
          }
          for (const x of drain(b, t + 10_000)) delivered.set(x, (delivered.get(x) ?? 0) + 1);
          assert.equal(b.held, 0);
          assert.deepEqual([...delivered.keys()].sort(), [...sent].sort());
          for (const n of delivered.values()) assert.equal(n, 1);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('ReorderBuffer: dropped packets go to the drop callback', () => {
  test('duplicates (held, delivered, immediate) and ready-queue overflow, each exactly once', () => {
    const dropped: string[] = [];
    const b = new ReorderBuffer<string>(4, 50, 16, (r) => dropped.push(r));
    const t = millis(0);
    b.push(0, 'a0', t);
    b.push(2, 'c2', t); // held behind the gap at 1
    b.push(2, 'c2-copy', t); // duplicate of a held packet
    b.push(0, 'a0-copy', t); // duplicate of a delivered one
    b.push(3, 'd3', t, true); // immediate: delivered at once
    b.push(3, 'd3-copy', t, true);
    b.push(1, 'b1', t);
    b.push(1, 'b1-copy', t);
    assert.deepEqual(dropped, ['c2-copy', 'a0-copy', 'd3-copy', 'b1-copy']);
    assert.equal(b.counters.duplicates, 4);
    // Never polled: the ready queue (2 x capacity + 64 = 72) overflows; the overflow is dropped.
    const big = new ReorderBuffer<number>(4, 50, 16, (r) => dropped.push(`n${r}`));
    for (let s = 0; s < 80; s++) big.push(s, s, t);
    assert.equal(big.counters.readyOverflow, 8);
    assert.deepEqual(
      dropped.slice(4),
      [72, 73, 74, 75, 76, 77, 78, 79].map((n) => `n${n}`),
    );
  });
});
