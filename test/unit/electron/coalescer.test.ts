import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCoalescer } from '../../../electron/main/logic/coalescer.ts';
import { FakeClock } from './fake-clock.ts';

describe('coalescer', () => {
  test('the first value goes out at once; a burst becomes one trailing emission of the latest value', () => {
    const clock = new FakeClock();
    const out: number[] = [];
    const c = createCoalescer<number>(250, clock, (v) => out.push(v));
    c.push(1);
    assert.deepEqual(out, [1]);
    for (let i = 2; i <= 50; i++) c.push(i);
    assert.deepEqual(out, [1], 'nothing more before the interval');
    assert.equal(clock.pending, 1, 'exactly one timer armed');
    clock.advance(250);
    assert.deepEqual(out, [1, 50]);
    assert.equal(c.dropped, 48);
  });

  test('never emits more than once per interval, whatever the input rate', () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const c = createCoalescer<number>(250, clock, () => times.push(clock.now()));
    // 100 Hz input for 10 virtual seconds.
    for (let t = 0; t < 10_000; t += 10) {
      c.push(t);
      clock.advance(10);
    }
    clock.advance(1_000);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] as number) - (times[i - 1] as number) >= 250);
    assert.ok(times.length <= 41 && times.length >= 39, `emissions: ${times.length}`);
  });

  test('a slow input passes through unchanged and undelayed', () => {
    const clock = new FakeClock();
    const out: Array<[number, number]> = [];
    const c = createCoalescer<number>(250, clock, (v) => out.push([v, clock.now()]));
    for (let i = 0; i < 5; i++) {
      c.push(i);
      clock.advance(500);
    }
    assert.deepEqual(out, [
      [0, 0],
      [1, 500],
      [2, 1_000],
      [3, 1_500],
      [4, 2_000],
    ]);
  });

  test('cancel drops the pending value and its timer', () => {
    const clock = new FakeClock();
    const out: number[] = [];
    const c = createCoalescer<number>(250, clock, (v) => out.push(v));
    c.push(1);
    c.push(2);
    c.cancel();
    assert.equal(clock.pending, 0);
    clock.advance(1_000);
    assert.deepEqual(out, [1]);
  });
});
