import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff } from '../../../electron/main/logic/backoff.ts';

describe('Backoff', () => {
  test('doubles from base up to the ceiling, then stays there', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1_000, jitter: 0 });
    const delays = Array.from({ length: 8 }, () => b.next());
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
    assert.equal(b.attempts, 8);
  });

  test('stays bounded after thousands of failures (no overflow to Infinity or NaN)', () => {
    const b = new Backoff({ baseMs: 250, maxMs: 15_000, jitter: 0.2 }, () => 0.5);
    let last = 0;
    for (let i = 0; i < 5_000; i++) last = b.next();
    assert.ok(Number.isFinite(last));
    assert.equal(last, 13_500); // 15 000 × (1 − 0.2 × 0.5)
  });

  test('jitter only shortens, within the configured fraction', () => {
    const lo = new Backoff({ baseMs: 1_000, maxMs: 1_000, jitter: 0.2 }, () => 0.999999);
    const hi = new Backoff({ baseMs: 1_000, maxMs: 1_000, jitter: 0.2 }, () => 0);
    assert.equal(lo.next(), 800);
    assert.equal(hi.next(), 1_000);
  });

  test('reset starts again from the base delay', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 10_000, jitter: 0 });
    b.next();
    b.next();
    b.next();
    b.reset();
    assert.equal(b.attempts, 0);
    assert.equal(b.next(), 100);
  });

  test('rejects nonsense policies', () => {
    assert.throws(() => new Backoff({ baseMs: 0, maxMs: 10, jitter: 0 }), RangeError);
    assert.throws(() => new Backoff({ baseMs: 10, maxMs: 5, jitter: 0 }), RangeError);
    assert.throws(() => new Backoff({ baseMs: 10, maxMs: 50, jitter: 1.5 }), RangeError);
  });
});
