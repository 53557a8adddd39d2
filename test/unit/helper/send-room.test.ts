import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bulkQueueLimit, gsoBurst } from '../../../app/helper/dataplane/send-room.ts';

describe('bulkQueueLimit', () => {
  test('about 12 ms of the path capacity in 1400-byte datagrams, within 16..128; 96 when unknown', () => {
    assert.equal(bulkQueueLimit(0), 96);
    assert.equal(bulkQueueLimit(Number.NaN), 96);
    assert.equal(bulkQueueLimit(100e6 / 8), 108, '100 Mbit/s: 12 ms = 150 kB');
    assert.equal(bulkQueueLimit(10e6 / 8), 16, '10 Mbit/s: 11 datagrams, floor 16');
    assert.equal(bulkQueueLimit(1e9 / 8), 128, '1 Gbit/s: capped');
  });
});

describe('gsoBurst', () => {
  test('about 1 ms of the path capacity in 1400-byte datagrams, within 2..64; 8 when unknown', () => {
    assert.equal(gsoBurst(0), 8);
    assert.equal(gsoBurst(Number.NaN), 8);
    assert.equal(gsoBurst(100e6 / 8), 8, '100 Mbit/s: 12.5 kB = 8.9 datagrams');
    assert.equal(gsoBurst(50e6 / 8), 4);
    assert.equal(gsoBurst(10e6 / 8), 2, '10 Mbit/s: floor 2');
    assert.equal(gsoBurst(1e9 / 8), 64, '1 Gbit/s: the kernel most');
  });

  test('the larger of capacity and throughput: a clean fast path has no capacity estimate', () => {
    assert.equal(gsoBurst(0, 1e9 / 8), 64, 'never saturated, carrying 1 Gbit/s');
    assert.equal(gsoBurst(100e6 / 8, 50e6 / 8), 8, 'capacity above what it carries');
    assert.equal(gsoBurst(50e6 / 8, 100e6 / 8), 8, 'carrying more than the (old) capacity');
    assert.equal(gsoBurst(0, 0), 8, 'neither known');
    assert.equal(gsoBurst(Number.NaN, Number.NaN), 8);
  });
});
