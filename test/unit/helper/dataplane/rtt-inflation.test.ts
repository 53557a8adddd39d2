import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rttInflated } from '../../../../app/helper/dataplane/rtt-inflation.ts';

test('enters above 1.5 x min + 5 ms, leaves below 1.25 x min + 3 ms (hysteresis)', () => {
  // min 20 ms: enter above 35 ms, leave below 28 ms.
  assert.equal(rttInflated(35, 20, false), false);
  assert.equal(rttInflated(35.1, 20, false), true);
  assert.equal(rttInflated(30, 20, true), true, 'inside the band it stays inflated');
  assert.equal(rttInflated(30, 20, false), false, 'inside the band it stays clear');
  assert.equal(rttInflated(27.9, 20, true), false);
});

test('unknown RTTs are never inflated', () => {
  assert.equal(rttInflated(Number.NaN, 20, true), false);
  assert.equal(rttInflated(50, Number.NaN, false), false);
  assert.equal(rttInflated(50, 0, false), false);
});
