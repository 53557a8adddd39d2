import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ring } from '../../../app/renderer/state/ring.ts';

test('ring keeps the newest `capacity` elements, oldest first', () => {
  const r = new Ring<number>(3);
  assert.deepEqual(r.toArray(), []);
  assert.equal(r.last(), undefined);
  for (let i = 1; i <= 7; i++) r.push(i);
  assert.equal(r.size, 3);
  assert.deepEqual(r.toArray(), [5, 6, 7]);
  assert.equal(r.last(), 7);
});

test('ring size never exceeds its capacity, however many pushes', () => {
  const r = new Ring<number>(360);
  for (let i = 0; i < 100_000; i++) r.push(i);
  assert.equal(r.size, 360);
  const a = r.toArray();
  assert.equal(a.length, 360);
  assert.equal(a[0], 100_000 - 360);
  assert.equal(a[359], 99_999);
});

test('ring rejects a non-positive capacity', () => {
  assert.throws(() => new Ring(0), RangeError);
  assert.throws(() => new Ring(1.5), RangeError);
});
