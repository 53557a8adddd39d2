import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bulkQueueLimit } from '../../../app/helper/dataplane/send-room.ts';

describe('bulkQueueLimit', () => {
  test('about 12 ms of the path capacity in 1400-byte datagrams, within 16..128; 96 when unknown', () => {
    assert.equal(bulkQueueLimit(0), 96);
    assert.equal(bulkQueueLimit(Number.NaN), 96);
    assert.equal(bulkQueueLimit(100e6 / 8), 108, '100 Mbit/s: 12 ms = 150 kB');
    assert.equal(bulkQueueLimit(10e6 / 8), 16, '10 Mbit/s: 11 datagrams, floor 16');
    assert.equal(bulkQueueLimit(1e9 / 8), 128, '1 Gbit/s: capped');
  });
});
