import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BatchPool } from '../../../app/helper/io/batch-pool.ts';
import { ipv4ToU32, parseIpv4, u32ToIpv4 } from '../../../app/helper/io/ipv4.ts';
import { PacketBatch } from '../../../app/helper/io/packet-batch.ts';
import { PacketQueue } from '../../../app/helper/io/packet-queue.ts';

test('PacketBatch.push places packets after the headroom of consecutive slots', () => {
  const b = new PacketBatch({ capacity: 3, slotSize: 32, headroom: 6 });
  assert.equal(b.room, 26);
  assert.equal(b.push(Buffer.from('abc'), 0x0a000001, 53), 0);
  assert.equal(b.push(Buffer.from('de'), 0x7f000001, 9), 1);
  assert.deepEqual([...b.offsets.subarray(0, 2)], [6, 38]);
  assert.equal(b.packet(1).toString(), 'de');
  assert.equal(b.ipOf(0), 0x0a000001);
  assert.equal(b.portOf(1), 9);
  assert.equal(b.push(Buffer.alloc(27), 0, 0), -1, 'larger than room');
  assert.equal(b.push(Buffer.alloc(26), 0, 0), 2);
  assert.equal(b.full, true);
  assert.equal(b.push(Buffer.alloc(1), 0, 0), -1, 'full');
  b.reset();
  assert.equal(b.count, 0);
});

test('PacketBatch rejects nonsensical geometry', () => {
  assert.throws(() => new PacketBatch({ capacity: 0, slotSize: 10 }), RangeError);
  assert.throws(() => new PacketBatch({ capacity: 1, slotSize: 10, headroom: 10 }), RangeError);
});

test('BatchPool is bounded and refuses double or foreign release', () => {
  const pool = new BatchPool(2, { capacity: 4, slotSize: 64 });
  const a = pool.acquire();
  const b = pool.acquire();
  assert.ok(a && b);
  assert.equal(pool.acquire(), null);
  a.push(Buffer.from('x'));
  pool.release(a);
  assert.throws(() => pool.release(a), /twice/);
  assert.throws(() => pool.release(new PacketBatch({ capacity: 1, slotSize: 8 })), /does not belong/);
  const again = pool.acquire();
  assert.equal(again, a);
  assert.equal(again?.count, 0, 'acquire resets');
});

test('PacketQueue drops when full, drains FIFO in batch-sized pieces, truncates to room', () => {
  const q = new PacketQueue(3);
  assert.ok(q.push(Buffer.from('one'), 1, 10));
  assert.ok(q.push(Buffer.from('two'), 2, 20));
  assert.ok(q.push(Buffer.from('three-long'), 3, 30));
  assert.equal(q.push(Buffer.from('four'), 4, 40), false);
  assert.equal(q.dropped, 1);
  const b = new PacketBatch({ capacity: 2, slotSize: 8, headroom: 2 });
  assert.equal(q.drainInto(b), 2);
  assert.deepEqual([b.packet(0).toString(), b.packet(1).toString()], ['one', 'two']);
  assert.deepEqual([b.portOf(0), b.portOf(1)], [10, 20]);
  assert.equal(q.drainInto(b), 1);
  assert.equal(b.packet(0).toString(), 'three-'); // 6 bytes of room
  assert.equal(q.truncated, 1);
  assert.equal(q.drainInto(b), 0);
  assert.equal(b.count, 0);
});

test('ipv4 parse/format round-trips every u32 and rejects junk', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => ipv4ToU32(u32ToIpv4(v)) === v));
  assert.equal(ipv4ToU32('1.2.3.4'), 0x01020304);
  for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4.5', '', ' 1.2.3.4'])
    assert.equal(parseIpv4(bad), null, bad);
  assert.throws(() => ipv4ToU32('nope'), RangeError);
});
