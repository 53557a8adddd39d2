import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { REDUNDANT_SPACING_MS, SpacedCopies } from '../../../../app/core/multipath/spaced-copies.ts';
import { type Millis, millis } from '../../../../app/core/types.ts';

const take = (q: SpacedCopies<string>, now: number): string[] => {
  const r: string[] = [];
  q.takeDue(millis(now), (x) => r.push(x));
  return r;
};

describe('spaced copies', () => {
  test('copies come due spacing apart, interleaved by due time across packets', () => {
    const q = new SpacedCopies<string>();
    assert.equal(q.nextAt(), null);
    assert.equal(q.add('a', 2, millis(10)), 2);
    assert.equal(q.add('b', 1, millis(11)), 1);
    assert.equal(q.nextAt(), 10 + REDUNDANT_SPACING_MS);
    assert.deepEqual(take(q, 11.9), []);
    assert.deepEqual(take(q, 12), ['a']);
    assert.deepEqual(take(q, 13), ['b']);
    assert.equal(q.nextAt(), 10 + 2 * REDUNDANT_SPACING_MS);
    assert.deepEqual(take(q, 100), ['a']);
    assert.equal(q.size, 0);
    assert.deepEqual(q.counters, { queued: 3, dropped: 0 });
  });

  test('bounded: what does not fit is counted, not queued; clear empties', () => {
    const q = new SpacedCopies<number>(3, 1);
    assert.equal(q.add(1, 2, millis(0)), 2);
    assert.equal(q.add(2, 2, millis(0)), 1);
    assert.equal(q.add(3, 1, millis(0)), 0);
    assert.deepEqual(q.counters, { queued: 3, dropped: 2 });
    q.clear();
    assert.equal(q.nextAt(), null);
    assert.equal(
      q.takeDue(millis(10), () => assert.fail('nothing queued')),
      0,
    );
  });

  test('property: every queued copy is taken exactly once, never early, in due order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5 }), n: fc.integer({ min: 0, max: 3 }) }), {
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }),
        (adds, steps) => {
          const q = new SpacedCopies<{ id: number; due: number }>(32, REDUNDANT_SPACING_MS);
          let now = 0;
          let queued = 0;
          const taken: number[] = [];
          let last = Number.NEGATIVE_INFINITY;
          const takeAt = (t: number): void => {
            q.takeDue(t as Millis, (x) => {
              assert.ok(x.due <= t, 'not early');
              assert.ok(x.due >= last, 'in due order');
              last = x.due;
              taken.push(x.id);
            });
          };
          adds.forEach((a, i) => {
            now += a.dt;
            takeAt(now);
            // One item per copy so each is tracked with its own due time.
            for (let k = 1; k <= a.n; k++)
              queued += q.add(
                { id: i * 10 + k, due: now + k * REDUNDANT_SPACING_MS },
                1,
                millis(now + (k - 1) * REDUNDANT_SPACING_MS),
              );
            now += steps[i] ?? 0;
          });
          takeAt(now + 100);
          assert.equal(taken.length, queued);
          assert.equal(new Set(taken).size, taken.length);
          assert.equal(q.counters.queued, queued);
        },
      ),
    );
  });
});
